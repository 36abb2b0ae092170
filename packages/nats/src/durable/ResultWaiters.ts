import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import {
  asCancellation,
  ClosedError,
  checkSignal,
  checkTimeout,
  longTimeout,
  onAbort,
  TimeoutError,
} from '@troupe/core';
import type { NatsKvStore } from '../store/NatsKvStore.js';
import type { StoreWatch } from '../store/watch.js';
import type { TaskResult } from './taskRecord.js';

/** Options of one wait. */
export interface ResultWaitOptions {
  /**
   * Give up after this long, ms, above 0; `Infinity` or unset waits until the signal aborts.
   * Anything else (0, negative, `NaN`, not a number) is refused with `ValidationError`.
   */
  timeout?: number;
  /** Aborting rejects the wait with `CancelledError` (the signal's reason itself when it is a Troupe error). */
  signal?: AbortSignal;
}

interface Waiter {
  resolve: (result: TaskResult) => void;
  reject: (error: unknown) => void;
  since: number;
}

/**
 * Everyone waiting for task results, served by ONE watch on the results bucket (a watch per
 * waiter would be a server-side consumer each). Results that already exist are read once when
 * the wait starts, after the watch is in place, so none can slip between the two. Because a watch
 * can lag while the server restarts, pending waits are also re-read on reconnect and every
 * `pollMs`.
 */
export class ResultWaiters {
  readonly #store: NatsKvStore;
  readonly #nc: NatsConnection;
  readonly #pollMs: number;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #watch: Promise<StoreWatch> | undefined;
  #poller: ReturnType<typeof setInterval> | undefined;
  #status: (AsyncIterable<Status> & { stop?: () => void }) | undefined;
  #closed = false;
  /** Between a `disconnect` and the next `reconnect` status of the connection. */
  #disconnected = false;

  constructor(options: { store: NatsKvStore; nc: NatsConnection; pollMs?: number }) {
    this.#store = options.store;
    this.#nc = options.nc;
    this.#pollMs = options.pollMs ?? 5_000;
    // From the start, so a wait that runs out knows whether the server was reachable.
    this.#status = this.#nc.status();
    void this.#followStatus(this.#status);
  }

  /** Resolves with the task's recorded result once there is one. */
  async wait(taskId: string, options: ResultWaitOptions = {}): Promise<TaskResult> {
    const ms = options.timeout === undefined ? undefined : checkTimeout(options.timeout, 'timeout');
    const signal = checkSignal(options.signal, 'signal');
    if (this.#closed) throw new ClosedError('dispatcher is closed');
    if (signal?.aborted) throw asCancellation(signal.reason);
    // Without a watch (server unreachable right now) the wait still works: polling covers it.
    await this.#ensureWatch().catch(() => {});
    // close() may have run while the watch was opening: it rejected only the waits registered then.
    if (this.#closed) throw new ClosedError('dispatcher is closed');
    return await new Promise<TaskResult>((resolve, reject) => {
      const set = this.#waiters.get(taskId) ?? new Set<Waiter>();
      this.#waiters.set(taskId, set);
      let cancelTimer: (() => void) | undefined;
      let off: (() => void) | undefined;
      const finish = (): void => {
        cancelTimer?.();
        off?.();
        set.delete(waiter);
        if (set.size === 0 && this.#waiters.get(taskId) === set) this.#waiters.delete(taskId);
      };
      const waiter: Waiter = {
        resolve: (result) => {
          finish();
          resolve(result);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
        since: Date.now(),
      };
      set.add(waiter);
      if (ms !== undefined) {
        cancelTimer = longTimeout(() => waiter.reject(this.#timedOut(taskId, ms)), ms, undefined);
      }
      if (signal) off = onAbort(signal, () => waiter.reject(asCancellation(signal.reason)));
      // Always read once: even a task this dispatcher just queued may have a result from before the
      // watch (a re-dispatch past the duplicate window, whose second write loses to the first).
      this.#check(taskId);
    });
  }

  /** The error of a wait that ran out: it says when the server was unreachable, the likely cause. */
  #timedOut(taskId: string, ms: number): TimeoutError {
    const down = this.#disconnected || this.#nc.isClosed();
    const why = down ? ' (the NATS connection is down: a result may be recorded but unreadable)' : '';
    return new TimeoutError(`no result for task '${taskId}' within ${ms} ms${why}`, {
      data: { taskId, timeout: ms, connected: !down },
    });
  }

  /** Rejects every pending wait and stops the watch. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poller);
    // nats.js status iterators are queued iterators that can be stopped; the type does not say so.
    this.#status?.stop?.();
    const error = new ClosedError('dispatcher closed');
    for (const set of [...this.#waiters.values()]) for (const w of [...set]) w.reject(error);
    const watch = await this.#watch?.catch(() => undefined);
    watch?.stop();
  }

  #ensureWatch(): Promise<StoreWatch> {
    if (this.#closed) return Promise.reject(new ClosedError('dispatcher is closed'));
    this.#watch ??= this.#openWatch();
    this.#poller ??= setInterval(() => this.#sweep(false), this.#pollMs);
    this.#poller.unref();
    return this.#watch;
  }

  #openWatch(): Promise<StoreWatch> {
    const opening = this.#store.watch();
    opening.then(
      (watch) => {
        void this.#follow(watch);
      },
      () => {
        if (this.#watch === opening) this.#watch = undefined;
      },
    );
    return opening;
  }

  async #follow(watch: StoreWatch): Promise<void> {
    try {
      for await (const change of watch) {
        if (change.operation !== 'put') continue;
        if (!this.#waiters.has(change.key)) continue;
        this.#deliver(change.key, await change.value<TaskResult>());
      }
    } catch {
      // A broken watch is replaced below, like a stopped one.
    }
    if (this.#closed) return;
    this.#watch = undefined;
    if (this.#waiters.size === 0) return;
    // Changes made while no watch ran were not seen: watch again (JetStream may still be coming back), then re-read.
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        await this.#ensureWatch();
        break;
      } catch {
        await sleep(Math.min(100 * 2 ** attempt, 2_000));
      }
    }
    this.#sweep(true);
  }

  /** Tracks whether the connection is down, and re-reads what is pending when it is back. */
  async #followStatus(statuses: AsyncIterable<Status>): Promise<void> {
    for await (const status of statuses) {
      if (this.#closed) return;
      if (status.type === 'disconnect') this.#disconnected = true;
      if (status.type !== 'reconnect') continue;
      this.#disconnected = false;
      // A watch only notices a restarted server after missing heartbeats (~10 s): replace it now.
      const watch = await this.#watch?.catch(() => undefined);
      if (watch) watch.stop();
      else this.#sweep(true);
    }
  }

  /** Re-reads pending tasks (all of them, or those waiting longer than `pollMs`). */
  #sweep(all: boolean): void {
    const cutoff = Date.now() - this.#pollMs;
    for (const [taskId, set] of this.#waiters) {
      if (all || [...set].some((w) => w.since <= cutoff)) this.#check(taskId);
    }
  }

  #check(taskId: string): void {
    this.#store.get<TaskResult>(taskId).then(
      (result) => this.#deliver(taskId, result),
      () => {
        // Unreachable right now; the watch, a reconnect or the next poll will tell.
      },
    );
  }

  #deliver(taskId: string, result: TaskResult | undefined): void {
    if (result === undefined) return;
    const set = this.#waiters.get(taskId);
    if (!set) return;
    for (const waiter of [...set]) waiter.resolve(result);
  }
}
