import { ValidationError } from '../errors/errors.js';
import { MAX_TIMER_MS } from './timeouts.js';

/** Something a {@link Deadlines} scheduler can hold: it carries its own slot, so scheduling allocates nothing. */
export interface Timed {
  /** @internal Index in the scheduler's heap; -1 while not scheduled. */
  deadlineSlot: number;
  /** @internal When it is due, ms since the epoch. */
  deadlineAt: number;
  /** Called once when due, after it left the scheduler. */
  onDeadline(): void;
}

/**
 * Many deadlines on one timer: a binary heap ordered by due time, with the timer armed for the
 * earliest. A `setTimeout` and `clearTimeout` per ask (and another pair per running handler for
 * its hang watch) were ~20% of an in-process ask; adding and removing here is a few array moves.
 * Each item fires when its own due time comes, as with `setTimeout`: the timer is re-armed for
 * the next earliest after every firing, chained past `setTimeout`'s 24.8-day limit. When it fires,
 * everything due by the time it was armed for is due (the timer is trusted over a clock a hair
 * behind it, or one frozen by fake timers). `keepsAlive`: whether pending deadlines keep the
 * process running, as a pending `setTimeout` does; with none pending the timer never does.
 */
export class Deadlines {
  readonly #heap: Timed[] = [];
  readonly #keepsAlive: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The due time the timer is armed for (`Infinity`: not armed). */
  #armedFor = Number.POSITIVE_INFINITY;
  #refed = false;
  readonly #onTimer = (): void => this.#fire();

  constructor(options: { keepsAlive: boolean }) {
    this.#keepsAlive = options.keepsAlive;
  }

  /**
   * Schedules `item` for `at` (ms since the epoch; `now`, the current time, is read when not
   * given and needed). It must not be scheduled already.
   * @throws ValidationError when `at` is NaN or not a number (`Infinity` is allowed: never due).
   */
  add(item: Timed, at: number, now?: number): void {
    // NaN compares false with everything: at the heap's root it would stop every later deadline.
    if (typeof at !== 'number' || Number.isNaN(at)) {
      throw new ValidationError(`a deadline must be a number of ms since the epoch, got ${String(at)}`, {
        issues: [{ path: 'at', message: 'not a number' }],
      });
    }
    const heap = this.#heap;
    item.deadlineAt = at;
    item.deadlineSlot = heap.length;
    heap.push(item);
    this.#up(heap.length - 1);
    if (at < this.#armedFor) this.#arm(at, now ?? Date.now());
    else if (this.#keepsAlive && !this.#refed) this.#ref(true);
  }

  /** Unschedules `item` (nothing when it is not scheduled). The timer stays armed, but no longer keeps the process alive once nothing is pending. */
  remove(item: Timed): void {
    const slot = item.deadlineSlot;
    if (slot < 0) return;
    item.deadlineSlot = -1;
    const heap = this.#heap;
    const last = heap.pop() as Timed;
    if (slot < heap.length) {
      heap[slot] = last;
      last.deadlineSlot = slot;
      this.#up(slot);
      this.#down(last.deadlineSlot);
    }
    if (heap.length === 0 && this.#refed) this.#ref(false);
  }

  /** Unschedules everything (none fires) and stops the timer. */
  clear(): void {
    for (const item of this.#heap) item.deadlineSlot = -1;
    this.#heap.length = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.#refed = false;
  }

  /** How many deadlines are pending. */
  get size(): number {
    return this.#heap.length;
  }

  #arm(at: number, now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const delay = Math.min(Math.max(0, at - now), MAX_TIMER_MS);
    this.#armedFor = delay === MAX_TIMER_MS ? now + delay : at;
    this.#timer = setTimeout(this.#onTimer, delay);
    this.#refed = true;
    if (!this.#keepsAlive) this.#ref(false);
  }

  #ref(on: boolean): void {
    this.#refed = on;
    const timer = this.#timer as { ref?: () => void; unref?: () => void } | undefined;
    if (on) timer?.ref?.();
    else timer?.unref?.();
  }

  /** The timer fired: everything due by now (or by what it was armed for) fires, in due order. */
  #fire(): void {
    const armedFor = this.#armedFor;
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.#refed = false;
    const due = Math.max(Date.now(), armedFor);
    const heap = this.#heap;
    while (heap.length > 0 && (heap[0] as Timed).deadlineAt <= due) {
      const item = heap[0] as Timed;
      this.remove(item);
      item.onDeadline();
    }
    const next = heap[0];
    if (next !== undefined && next.deadlineAt < this.#armedFor) this.#arm(next.deadlineAt, Date.now());
  }

  #up(slot: number): void {
    const heap = this.#heap;
    const item = heap[slot] as Timed;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot] as Timed;
      if (parent.deadlineAt <= item.deadlineAt) break;
      heap[slot] = parent;
      parent.deadlineSlot = slot;
      slot = parentSlot;
    }
    heap[slot] = item;
    item.deadlineSlot = slot;
  }

  #down(slot: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[slot] as Timed;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= n) break;
      const right = left + 1;
      const child =
        right < n && (heap[right] as Timed).deadlineAt < (heap[left] as Timed).deadlineAt ? right : left;
      const c = heap[child] as Timed;
      if (c.deadlineAt >= item.deadlineAt) break;
      heap[slot] = c;
      c.deadlineSlot = slot;
      slot = child;
    }
    heap[slot] = item;
    item.deadlineSlot = slot;
  }
}
