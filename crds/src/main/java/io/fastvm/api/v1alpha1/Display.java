package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The graphics adapter and the remote screens (VNC, SPICE) QEMU serves on unix sockets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.type != 'none' || ((!has(self.vnc) || !self.vnc) && (!has(self.spice) ||"
            + " !self.spice))",
    message = "display type none has no screen: vnc and spice must not be enabled")
@ValidationRule(
    value = "!has(self.vramMiB) || self.type == 'qxl' || self.type == 'vga'",
    message = "vramMiB applies to qxl and vga adapters only",
    fieldPath = ".vramMiB")
public record Display(
    @JsonPropertyDescription("qxl, vga, virtio or none.") @Default("qxl") DisplayType type,
    @JsonPropertyDescription("Video memory in MiB (qxl, vga). Default: 64 for qxl, 16 for vga.")
        @Min(8)
        @Max(512)
        Integer vramMiB,
    @JsonPropertyDescription("Serve a VNC screen. Default: true unless type is none.") Boolean vnc,
    @JsonPropertyDescription("Serve a SPICE screen (clipboard, resize, USB redirection).")
        Boolean spice) {

  public DisplayType effectiveType() {
    return type == null ? DisplayType.QXL : type;
  }

  /** Video memory in MiB: vramMiB, else 16 for VGA and 64 for the others. */
  public int effectiveVramMiB() {
    return vramMiB != null ? vramMiB : effectiveType() == DisplayType.VGA ? 16 : 64;
  }

  public boolean vncEnabled() {
    return effectiveType() != DisplayType.NONE && !Boolean.FALSE.equals(vnc);
  }

  public boolean spiceEnabled() {
    return effectiveType() != DisplayType.NONE && Boolean.TRUE.equals(spice);
  }

  /** The default display when a VM has no display section: QXL with VNC. */
  public static Display defaults() {
    return new Display(DisplayType.QXL, null, null, null);
  }
}
