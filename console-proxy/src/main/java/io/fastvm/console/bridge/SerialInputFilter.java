package io.fastvm.console.bridge;

/** Serial input is all user input: passed on, or dropped entirely in view-only mode. */
public final class SerialInputFilter implements ClientStreamFilter {
  private final boolean viewOnly;

  public SerialInputFilter(boolean viewOnly) {
    this.viewOnly = viewOnly;
  }

  @Override
  public FilterResult filter(byte[] data) {
    return viewOnly
        ? new FilterResult(FilterResult.NONE, false, null)
        : new FilterResult(data, data.length > 0, null);
  }
}
