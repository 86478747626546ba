package io.fastvm.node.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.fastvm.node.launcher.LaunchPlanner;
import java.util.ArrayList;
import java.util.List;

/**
 * One disk's I/O counters since QEMU started, from {@code query-blockstats}.
 *
 * @param drive the VM's name of the disk (other block devices, like the cloud-init seed: their
 *     device id)
 */
public record DriveCounters(
    String drive,
    long readBytes,
    long writeBytes,
    long readOperations,
    long writeOperations,
    long flushOperations,
    long readNanos,
    long writeNanos,
    long flushNanos) {

  private static final String PERIPHERAL = "/machine/peripheral/";

  /** The disks in an answer of {@code query-blockstats}; block nodes without a device are left. */
  public static List<DriveCounters> parse(JsonNode blockstats) {
    List<DriveCounters> drives = new ArrayList<>();
    for (JsonNode entry : blockstats) {
      String drive = drive(entry.path("qdev").asText(""));
      if (drive.isEmpty()) {
        continue;
      }
      JsonNode stats = entry.path("stats");
      drives.add(
          new DriveCounters(
              drive,
              stats.path("rd_bytes").asLong(),
              stats.path("wr_bytes").asLong(),
              stats.path("rd_operations").asLong(),
              stats.path("wr_operations").asLong(),
              stats.path("flush_operations").asLong(),
              stats.path("rd_total_time_ns").asLong(),
              stats.path("wr_total_time_ns").asLong(),
              stats.path("flush_total_time_ns").asLong()));
    }
    return drives;
  }

  /**
   * The disk's name in a {@code qdev} path: virtio disks are named by their backend's QOM path
   * ({@code /machine/peripheral/<id>/virtio-backend}), SATA and SCSI ones by the id itself; the
   * launcher's disk ids are {@link LaunchPlanner#DISK_DEVICE_PREFIX} and the name.
   */
  static String drive(String qdev) {
    String id = qdev;
    if (qdev.startsWith(PERIPHERAL)) {
      String rest = qdev.substring(PERIPHERAL.length());
      int slash = rest.indexOf('/');
      id = slash < 0 ? rest : rest.substring(0, slash);
    }
    return id.startsWith(LaunchPlanner.DISK_DEVICE_PREFIX)
        ? id.substring(LaunchPlanner.DISK_DEVICE_PREFIX.length())
        : id;
  }
}
