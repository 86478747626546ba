package io.fastvm.contract.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PopulateProgressTest {

  @Test
  void linesRoundTrip() {
    PopulateProgress known = new PopulateProgress(1048576, 2147483648L);
    assertThat(known.toLine()).isEqualTo("progress 1048576 2147483648");
    assertThat(PopulateProgress.parse(known.toLine())).contains(known);
    assertThat(known.percent()).isEqualTo(0);
    PopulateProgress unknown = new PopulateProgress(5, -1);
    assertThat(PopulateProgress.parse(unknown.toLine())).contains(unknown);
    assertThat(unknown.percent()).isEqualTo(-1);
    assertThat(new PopulateProgress(3, 4).percent()).isEqualTo(75);
    assertThat(new PopulateProgress(0, 0).percent()).isEqualTo(100);
  }

  @Test
  void otherLinesAreNotProgress() {
    for (String line :
        new String[] {
          "",
          "progress",
          "progress 1",
          "progress 1 2 3",
          "progress -1 2",
          "progress 1 -2",
          "progress 01 2",
          "progress 99999999999999999999 1",
          "{\"virtualSize\":1}",
          "xprogress 1 2",
          "progress 1 2x"
        }) {
      assertThat(PopulateProgress.parse(line)).as(line).isEmpty();
    }
  }

  @Test
  void lastFindsTheLatestLineInALog() {
    String log = "progress 1 10\nprogress 5 10\r\nfastvm-populate: converting\n{\"a\":1}\n";
    assertThat(PopulateProgress.last(log)).isEqualTo(Optional.of(new PopulateProgress(5, 10)));
    assertThat(PopulateProgress.last("nothing here")).isEmpty();
  }
}
