import { initialProgress, type ProgressEvent, type TaskProgress, trackProgress } from '@troupe/core';
import { Subject } from 'rxjs';

/**
 * A live run's `TaskProgress`, kept by core's `trackProgress` (snapshots batched, so a chatty run
 * does not rebuild one per event), with the seq each snapshot includes: `whenExact` waits (at most
 * about `maxDelay` ms) for a snapshot that includes every event so far, which is what a WebSocket
 * client's `snapshot` frame needs.
 */
export class LiveSnapshot {
  readonly #events$ = new Subject<ProgressEvent>();
  readonly #maxDelay: number;
  #latest: TaskProgress;
  /** The seq of the last event `#latest` includes. */
  #latestSeq = 0;
  #seq = 0;
  #lastEventAt = 0;
  #waiting: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(options: { taskId: string; name: string; maxDelay?: number }) {
    this.#maxDelay = options.maxDelay ?? 50;
    this.#latest = initialProgress({ taskId: options.taskId, name: options.name });
    // Events are fed synchronously, so whenever a snapshot comes out it includes every event fed so far.
    trackProgress(this.#events$, {
      taskId: options.taskId,
      name: options.name,
      maxDelay: this.#maxDelay,
    }).subscribe((snapshot) => {
      this.#latest = snapshot;
      this.#latestSeq = this.#seq;
      this.#serve();
    });
  }

  /** The latest snapshot (it may miss the events of the last `maxDelay` ms). */
  get latest(): TaskProgress {
    return this.#latest;
  }

  /** Feeds event `seq` (seqs in order). */
  push(seq: number, event: ProgressEvent): void {
    if (this.#ended) return;
    this.#seq = seq;
    this.#lastEventAt = Date.now();
    this.#events$.next(event);
  }

  /** Calls `fn` once {@link latest} includes every event fed so far: at once when it does. */
  whenExact(fn: () => void): void {
    if (this.#latestSeq === this.#seq) {
      fn();
      return;
    }
    this.#waiting.push(fn);
    this.#arm();
  }

  /** No more events: makes the final snapshot and serves whoever waits. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#events$.complete();
    this.#latestSeq = this.#seq;
    this.#serve();
  }

  #serve(): void {
    if (this.#latestSeq !== this.#seq || this.#waiting.length === 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const fn of waiting) fn();
  }

  /**
   * trackProgress makes a snapshot at most `maxDelay` ms after any change, so when no snapshot came
   * for twice that since the last event (its timer, due earlier, has run), those events changed
   * nothing (duplicates) and the latest snapshot is exact.
   */
  #arm(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      if (this.#waiting.length === 0) return;
      if (Date.now() - this.#lastEventAt >= 2 * this.#maxDelay) {
        this.#latestSeq = this.#seq;
        this.#serve();
      } else this.#arm();
    }, 2 * this.#maxDelay);
  }
}
