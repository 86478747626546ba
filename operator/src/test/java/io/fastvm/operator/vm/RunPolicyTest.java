package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.operator.vm.RunState.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The run strategies without a pod: when does the VM (re)start? */
class RunPolicyTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  static RunState state(RunStrategy strategy, Outcome outcome, boolean everRan, boolean restart) {
    return new RunState(
        strategy,
        Optional.empty(),
        outcome,
        "why",
        everRan,
        restart,
        restart,
        false,
        1,
        Optional.empty(),
        Optional.empty());
  }

  @ParameterizedTest(name = "{0} after {1} (ran before: {2}, restart requested: {3}) → {4}")
  @CsvSource({
    "ALWAYS, NONE, false, false, Start",
    "ALWAYS, POWERED_OFF, true, false, Start",
    "ALWAYS, FAILED, true, false, Start",
    "ALWAYS, LOST, true, false, Start",
    "RERUN_ON_FAILURE, NONE, false, false, Start",
    "RERUN_ON_FAILURE, POWERED_OFF, true, false, StayStopped",
    "RERUN_ON_FAILURE, FAILED, true, false, Start",
    "RERUN_ON_FAILURE, LOST, true, false, Start",
    "RERUN_ON_FAILURE, POWERED_OFF, true, true, Start",
    "ONCE, NONE, false, false, Start",
    "ONCE, POWERED_OFF, true, false, StayStopped",
    "ONCE, FAILED, true, false, StayStopped",
    "ONCE, LOST, true, false, StayStopped",
    "ONCE, FAILED, true, true, Start",
    "MANUAL, NONE, false, false, StayStopped",
    "MANUAL, POWERED_OFF, true, false, StayStopped",
    "MANUAL, NONE, false, true, Start",
    "MANUAL, FAILED, true, true, Start",
    "HALTED, NONE, false, false, StayStopped",
    "HALTED, FAILED, true, true, StayStopped",
  })
  void withoutAPod(
      RunStrategy strategy, Outcome outcome, boolean ran, boolean restart, String expected) {
    RunDecision decision =
        RunPolicy.decide(state(strategy, outcome, ran, restart), NOW, Duration.ofMinutes(5));
    assertThat(decision.getClass().getSimpleName()).isEqualTo(expected);
  }

  @Test
  void failuresWaitForTheirBackoffUnlessARestartIsRequested() {
    RunState waiting =
        new RunState(
            RunStrategy.ALWAYS,
            Optional.empty(),
            Outcome.FAILED,
            "crash",
            true,
            false,
            false,
            false,
            3,
            Optional.of(NOW.plusSeconds(30)),
            Optional.empty());
    assertThat(RunPolicy.decide(waiting, NOW, Duration.ZERO))
        .isEqualTo(new RunDecision.BackOff(3, NOW.plusSeconds(30)));
    assertThat(RunPolicy.decide(waiting, NOW.plusSeconds(30), Duration.ZERO))
        .isEqualTo(new RunDecision.Start(3, false));
    RunState requested =
        new RunState(
            RunStrategy.ALWAYS,
            Optional.empty(),
            Outcome.FAILED,
            "crash",
            true,
            true,
            true,
            false,
            3,
            Optional.of(NOW.plusSeconds(30)),
            Optional.empty());
    assertThat(RunPolicy.decide(requested, NOW, Duration.ZERO))
        .isEqualTo(new RunDecision.Start(0, true));
  }
}
