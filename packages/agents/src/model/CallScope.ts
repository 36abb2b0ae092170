import { asCancellation, onAbort, TimeoutError } from '@troupe/core';

// One shared reason: building an Error (and its stack) for every finished call showed in profiles.
const FINISHED = new Error('call finished');

// Handed out when a pass-through scope has no caller signal: it never aborts.
const NEVER = new AbortController().signal;

/**
 * The life of one model call: a signal that aborts when the caller's signal
 * does, when the call's deadline passes (with `TimeoutError`) or, with its
 * own controller, when the call is over; and the time left before that
 * deadline. Without a timeout and unless `own` is asked for, the scope
 * passes the caller's signal through: no controller, no listener (they
 * showed in profiles of short calls), nothing to abort at the end.
 */
export class CallScope {
  /** Absolute deadline, ms since the epoch, or undefined. */
  readonly deadline: number | undefined;
  readonly #controller: AbortController | undefined;
  readonly #parent: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #unlink: (() => void) | undefined;
  #reason: Error | undefined;

  /** `own`: abort what runs under the scope when it is disposed early (a stream the consumer left). */
  constructor(parent: AbortSignal | undefined, timeoutMs: number | undefined, what: string, own = false) {
    this.#parent = parent;
    if (timeoutMs === undefined && !own) return;
    const controller = new AbortController();
    this.#controller = controller;
    if (parent) this.#unlink = onAbort(parent, () => this.#abort(asCancellation(parent.reason)));
    if (timeoutMs !== undefined && !controller.signal.aborted) {
      this.deadline = Date.now() + timeoutMs;
      this.#timer = setTimeout(
        () =>
          this.#abort(
            new TimeoutError(`${what} timed out after ${timeoutMs} ms`, { data: { timeout: timeoutMs } }),
          ),
        timeoutMs,
      );
    }
  }

  /** Aborted on cancel, on deadline, or (with its own controller) once the call is over. */
  get signal(): AbortSignal {
    return this.#controller?.signal ?? this.#parent ?? NEVER;
  }

  /** Whether the caller cancelled or the deadline passed. */
  get cancelled(): boolean {
    return this.#controller ? this.#reason !== undefined : this.#parent?.aborted === true;
  }

  /** Why it was cancelled: a `TimeoutError`, or the caller's reason as a Troupe error. */
  reason(): Error {
    return this.#reason ?? asCancellation(this.signal.reason);
  }

  /** Milliseconds left before the deadline, or undefined without one. */
  remaining(): number | undefined {
    return this.deadline === undefined ? undefined : Math.max(0, this.deadline - Date.now());
  }

  /** Settles with `work`, or rejects with {@link CallScope.reason} as soon as the scope is cancelled (even if `work` ignores the signal). */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.cancelled) {
      work.catch(() => {});
      return Promise.reject(this.reason());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (this.cancelled) reject(this.reason());
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(this.cancelled ? this.reason() : err);
        },
      );
    });
  }

  /** Ends the scope: clears the timer, unlinks from the caller, aborts anything still running under it. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#unlink?.();
    if (this.#controller && !this.#controller.signal.aborted) this.#controller.abort(FINISHED);
  }

  #abort(reason: Error): void {
    const controller = this.#controller!;
    if (controller.signal.aborted) return;
    this.#reason = reason;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    controller.abort(reason);
  }
}
