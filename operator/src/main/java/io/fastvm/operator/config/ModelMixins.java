package io.fastvm.operator.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.api.v1alpha1.Disk;

/**
 * Works around a quirk of the API model: {@code Disk.isCdromDisk()} and {@code isReadOnlyDisk()}
 * look like bean getters, so Jackson writes them as properties {@code cdromDisk} and {@code
 * readOnlyDisk}, and then refuses to read them back (a record has no such component). Any
 * serialize-deserialize round trip of a VM with disks fails — the client's own object cloning, a
 * resource sent to the (mock) API server and read back, the manifest. This mixin ignores them both
 * ways. Remove it once the model marks those methods {@code @JsonIgnore}.
 */
public final class ModelMixins {
  private ModelMixins() {}

  @JsonIgnoreProperties({"cdromDisk", "readOnlyDisk"})
  abstract static class DiskMixin {}

  public static ObjectMapper register(ObjectMapper mapper) {
    mapper.addMixIn(Disk.class, DiskMixin.class);
    return mapper;
  }
}
