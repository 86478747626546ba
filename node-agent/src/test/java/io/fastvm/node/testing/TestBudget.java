package io.fastvm.node.testing;

import java.time.Duration;

/**
 * A test's time budget for its slow steps (guest boots under TCG): each wait takes what is left, so
 * three boots in a row share one allowance instead of each getting a fixed one, and a test that
 * runs out says which budget it was and how much of it was spent. Budgets are generous: nothing is
 * timed, they only keep a hung guest from hanging the suite. {@code -Dtest.fastvm.timeScale=2} (or
 * FASTVM_TEST_TIME_SCALE) doubles every budget on a slower machine.
 */
public final class TestBudget {
  private final String what;
  private final Duration budget;
  private final long start = System.nanoTime();

  private TestBudget(String what, Duration budget) {
    this.what = what;
    this.budget = budget;
  }

  /** A budget of {@code budget} (scaled) for {@code what}, e.g. "three boots with TPM state". */
  public static TestBudget of(Duration budget, String what) {
    return new TestBudget(what, Duration.ofMillis(Math.round(budget.toMillis() * scale())));
  }

  private static double scale() {
    String value =
        System.getProperty("test.fastvm.timeScale", System.getenv("FASTVM_TEST_TIME_SCALE"));
    if (value == null || value.isBlank()) {
      return 1;
    }
    double scale = Double.parseDouble(value);
    if (!(scale > 0)) {
      throw new IllegalArgumentException("test.fastvm.timeScale must be > 0: " + value);
    }
    return scale;
  }

  /** What is left; fails the test, naming the budget, when nothing is. */
  public Duration left(String step) {
    Duration left = budget.minus(spent());
    if (left.isNegative() || left.isZero()) {
      throw new AssertionError(exceeded(step));
    }
    return left;
  }

  public Duration spent() {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** The message for a wait that ran out of budget at {@code step}. */
  public String exceeded(String step) {
    return "the test's budget of "
        + budget.toSeconds()
        + " s for "
        + what
        + " ran out ("
        + spent().toSeconds()
        + " s spent) while waiting for "
        + step;
  }
}
