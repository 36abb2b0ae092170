/** An item a {@link DeadlineWheel} holds: the wheel keeps its place in these two fields. */
export interface WheelItem {
  /** The slot it waits in (-1: not in the wheel). */
  wheelSlot: number;
  /** Its index in that slot. */
  wheelIndex: number;
}

/** Width of a slot, ms: an item fires at most this much after its deadline. */
const SLOT_MS = 4;

/**
 * One timer for many deadlines: items wait in slots of {@link SLOT_MS} ms, and a single timer
 * is armed for the earliest slot, instead of a `setTimeout` (and its `Timeout` object, and its
 * place in Node's timer lists) per item. Adding and removing are O(1) (the slot's array, swap
 * removal); only an earlier deadline than the armed one re-arms the timer. The timer holds the
 * process open only while items wait.
 */
export class DeadlineWheel<T extends WheelItem> {
  readonly #fire: (item: T) => void;
  /** Items by slot. A slot stays (possibly empty) until its time has passed, so it is queued once. */
  readonly #slots = new Map<number, T[]>();
  /** Slot numbers, as a binary min-heap. */
  readonly #heap: number[] = [];
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armed = Number.POSITIVE_INFINITY;

  /** `fire` is called once per item whose deadline passed (after it left the wheel). */
  constructor(fire: (item: T) => void) {
    this.#fire = fire;
  }

  /** Items waiting. */
  get size(): number {
    return this.#size;
  }

  /** Fires `item` once `deadline` (ms since the epoch) has passed, unless it is removed first. */
  add(item: T, deadline: number): void {
    const slot = Math.ceil(deadline / SLOT_MS);
    let items = this.#slots.get(slot);
    if (!items) {
      items = [];
      this.#slots.set(slot, items);
      this.#push(slot);
    }
    item.wheelSlot = slot;
    item.wheelIndex = items.length;
    items.push(item);
    if (this.#size++ === 0) this.#timer?.ref();
    if (slot < this.#armed) this.#arm(slot);
  }

  /** Takes `item` out (it will not fire); does nothing when it is not in the wheel. */
  remove(item: T): void {
    if (item.wheelSlot < 0) return;
    const items = this.#slots.get(item.wheelSlot);
    item.wheelSlot = -1;
    if (!items) return;
    const last = items.pop() as T;
    if (last !== item) {
      items[item.wheelIndex] = last;
      last.wheelIndex = item.wheelIndex;
    }
    if (--this.#size === 0) this.#idle();
  }

  /** Takes every item out, firing none, and stops the timer. */
  clear(): void {
    for (const items of this.#slots.values()) for (const item of items) item.wheelSlot = -1;
    this.#slots.clear();
    this.#heap.length = 0;
    this.#size = 0;
    this.#disarm();
  }

  #arm(slot: number): void {
    clearTimeout(this.#timer);
    this.#armed = slot;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, slot * SLOT_MS - Date.now()));
    if (this.#size === 0) this.#timer.unref();
  }

  /**
   * Nothing waits: the slots are forgotten, and the timer stays armed but no longer holds the
   * process open (re-arming it for every item would cost the timer per item this saves).
   */
  #idle(): void {
    this.#slots.clear();
    this.#heap.length = 0;
    this.#timer?.unref();
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armed = Number.POSITIVE_INFINITY;
  }

  #expire(): void {
    this.#timer = undefined;
    this.#armed = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const heap = this.#heap;
    while (heap.length > 0 && (heap[0] as number) * SLOT_MS <= now) {
      const slot = this.#pop();
      const items = this.#slots.get(slot);
      this.#slots.delete(slot);
      if (!items) continue;
      this.#size -= items.length;
      for (const item of items) item.wheelSlot = -1;
      for (const item of items) this.#fire(item);
    }
    if (this.#size === 0) this.#idle();
    else if (this.#timer === undefined && heap.length > 0) this.#arm(heap[0] as number);
  }

  #push(slot: number): void {
    const heap = this.#heap;
    let i = heap.push(slot) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as number) <= slot) break;
      heap[i] = heap[parent] as number;
      i = parent;
    }
    heap[i] = slot;
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && (heap[r] as number) < (heap[l] as number) ? r : l;
        if ((heap[c] as number) >= last) break;
        heap[i] = heap[c] as number;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
