import { initialProgress, type ProgressEvent, type TaskProgress, trackProgress } from '@troupe/core';
import { Subject, type Subscription } from 'rxjs';
import { RunStats } from './RunStats.js';

/**
 * One run's progress as the CLI sees it: every event goes through `trackProgress` (the latest
 * snapshot is kept) and {@link RunStats}. `finish()` completes the stream, so the last snapshot
 * equals the reduction of every event pushed.
 */
export class Tracker {
  readonly stats = new RunStats();
  readonly #events = new Subject<ProgressEvent>();
  readonly #subscription: Subscription;
  #latest: TaskProgress;
  #version = 0;

  constructor(options: { name?: string } = {}) {
    this.#latest = initialProgress(options.name === undefined ? {} : { name: options.name });
    this.#subscription = trackProgress(
      this.#events,
      options.name === undefined ? {} : { name: options.name },
    ).subscribe((p) => {
      this.#latest = p;
      this.#version++;
    });
  }

  /** Folds one event in. */
  push(event: ProgressEvent): void {
    this.stats.apply(event);
    this.#events.next(event);
    this.#version++;
  }

  /** The newest snapshot (batched in wide fan-outs: at most ~50 ms behind). */
  get snapshot(): TaskProgress {
    return this.#latest;
  }

  /** Bumped by every event and snapshot, so a view redraws only when something changed. */
  get version(): number {
    return this.#version;
  }

  /** Ends the stream and returns the final snapshot. Idempotent. */
  finish(): TaskProgress {
    this.#events.complete();
    this.#subscription.unsubscribe();
    return this.#latest;
  }
}
