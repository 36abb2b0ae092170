import type { ProgressEvent, Store } from '@troupe/core';

/** Prefix of the journal's keys in a run's store: `events/<batch number, 10 digits>`. */
export const EVENTS_PREFIX = 'events/';

/** The store key of batch `n`. */
export function batchKey(n: number): string {
  return `${EVENTS_PREFIX}${String(n).padStart(10, '0')}`;
}

/** Options of {@link JournalWriter}. */
export interface JournalWriterOptions {
  /** The run's store. */
  store: Store;
  /** The number of the first batch to write (the count already stored, when resuming). */
  nextBatch: number;
  /** Most ms an event waits before its batch is written (default 50). */
  flushDelay?: number;
}

/**
 * Appends a run's progress events to its store, in order, as arrays under {@link batchKey} keys:
 * events that arrive within `flushDelay` ms share one write, so a busy run costs one store write
 * per batch, and a `kill -9` loses at most the last `flushDelay` ms.
 */
export class JournalWriter {
  readonly #store: Store;
  readonly #delay: number;
  #next: number;
  #pending: ProgressEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #error: unknown;

  constructor(options: JournalWriterOptions) {
    this.#store = options.store;
    this.#next = options.nextBatch;
    this.#delay = options.flushDelay ?? 50;
  }

  /** Queues one event. */
  append(event: ProgressEvent): void {
    this.#pending.push(event);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#write();
    }, this.#delay);
  }

  /** Writes what is queued and waits for every write so far; rejects with the first write error. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#write();
    await this.#writing;
    if (this.#error !== undefined) throw this.#error;
  }

  #write(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const key = batchKey(this.#next++);
    this.#writing = this.#writing.then(() =>
      this.#store.set(key, batch).catch((err: unknown) => {
        this.#error ??= err;
      }),
    );
  }
}
