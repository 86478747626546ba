package io.fastvm.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Disks in {@code query-blockstats} as QEMU 7.2 answers with -blockdev and device ids. */
class DriveCountersTest {

  @Test
  void disksByTheirDeviceIdWithTheirCounters() throws Exception {
    var drives =
        DriveCounters.parse(
            new ObjectMapper()
                .readTree(
                    """
                    [{"device": "", "qdev": "/machine/peripheral/disk-root/virtio-backend",
                      "node-name": "drive0",
                      "stats": {"rd_bytes": 1, "wr_bytes": 2, "rd_operations": 3,
                        "wr_operations": 4, "flush_operations": 5, "rd_total_time_ns": 6,
                        "wr_total_time_ns": 7, "flush_total_time_ns": 8}},
                     {"device": "", "qdev": "cloudinit", "node-name": "drive1", "stats": {}},
                     {"device": "", "qdev": "disk-data", "node-name": "drive2", "stats": {}},
                     {"device": "", "node-name": "#block123", "stats": {"rd_bytes": 9}}]
                    """));
    assertThat(drives)
        .containsExactly(
            new DriveCounters("root", 1, 2, 3, 4, 5, 6, 7, 8),
            new DriveCounters("cloudinit", 0, 0, 0, 0, 0, 0, 0, 0),
            new DriveCounters("data", 0, 0, 0, 0, 0, 0, 0, 0));
  }
}
