/**
 * An abort whose `AbortSignal` is made only when someone reads it: creating
 * an AbortController costs microseconds and garbage on Node, and most asks
 * and steps finish without anyone looking at their signal.
 */
export class LazyAbort {
  /** Whether it was aborted. */
  aborted = false;
  /** Why it was aborted. */
  reason: unknown;
  #controller: AbortController | undefined;

  /** The signal, aborted with {@link LazyAbort.reason} (created on first read). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** Aborts with `reason`; false when it was already aborted. */
  abort(reason: unknown): boolean {
    if (this.aborted) return false;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    return true;
  }
}
