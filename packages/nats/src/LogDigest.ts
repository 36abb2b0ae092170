import type { Logger } from '@troupe/core';

/** Options of {@link LogDigest}. */
export interface LogDigestOptions {
  /** How long repeats of one kind are counted instead of logged, ms (default 10 000). */
  windowMs?: number;
}

interface Kind {
  /** When the current window opened, ms since the epoch. */
  since: number;
  /** Repeats counted, not logged, in this window. */
  suppressed: number;
  last: string;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Warnings about things that arrive from the network (invalid messages, failed tells), which
 * anyone who can publish may cause by the thousand: the first of a kind is logged at once; repeats
 * within the window are counted and logged as one line with the count and the last message.
 */
export class LogDigest {
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #kinds = new Map<string, Kind>();

  constructor(logger: Logger, options: LogDigestOptions = {}) {
    this.#logger = logger;
    this.#windowMs = options.windowMs ?? 10_000;
  }

  /** Logs one occurrence of `kind` (a short plural noun phrase, e.g. `invalid messages dropped`). */
  warn(kind: string, message: string, fields?: Record<string, unknown>): void {
    const now = Date.now();
    const k = this.#kinds.get(kind);
    if (k && now - k.since < this.#windowMs) {
      k.suppressed++;
      k.last = message;
      k.timer ??= setTimeout(() => this.#summarize(kind), this.#windowMs - (now - k.since));
      k.timer.unref?.();
      return;
    }
    if (k) this.#summarize(kind);
    this.#kinds.set(kind, { since: now, suppressed: 0, last: message, timer: undefined });
    this.#logger.warn(message, fields);
  }

  /** Logs what is still counted (at close). */
  flush(): void {
    for (const kind of [...this.#kinds.keys()]) this.#summarize(kind);
    this.#kinds.clear();
  }

  #summarize(kind: string): void {
    const k = this.#kinds.get(kind);
    if (!k) return;
    clearTimeout(k.timer);
    k.timer = undefined;
    if (k.suppressed > 0) {
      const seconds = Math.round((Date.now() - k.since) / 1000);
      this.#logger.warn(`${k.suppressed} more ${kind} in the last ${seconds} s (not logged one by one)`, {
        count: k.suppressed,
        last: k.last,
      });
    }
    k.suppressed = 0;
    k.since = Date.now();
  }
}
