import type { Ownership } from './Ownership.js';
import type { Fence, RemoteDelivery } from './RemoteDelivery.js';

/** A finished keyed delivery whose answer waits until its key's ownership is confirmed. */
interface Parked {
  entry: RemoteDelivery;
  value: unknown;
  isError: boolean;
}

/**
 * The fence on keyed answers. A delivery records the owners-bucket revision its key was held at;
 * a result finished while that hold is unconfirmed (after a disconnect) is held back until the
 * bucket has been read again, and a result whose key moved to another worker meanwhile is never
 * sent as a value.
 */
export class ReplyFence {
  readonly #ownership: Ownership;
  readonly #answer: (entry: RemoteDelivery, value: unknown, isError: boolean) => void;
  #parked: Parked[] = [];

  constructor(
    ownership: Ownership,
    answer: (entry: RemoteDelivery, value: unknown, isError: boolean) => void,
  ) {
    this.#ownership = ownership;
    this.#answer = answer;
  }

  /** Answers now, or holds the answer until the hold on its key is confirmed or found lost. */
  settle(entry: RemoteDelivery, value: unknown, isError: boolean): void {
    const fence = entry.fence;
    if (fence && this.#holding(fence) === 'unverified') {
      this.#parked.push({ entry, value, isError });
      void this.#ownership.verify(fence).then(() => this.release());
      return;
    }
    this.#answer(entry, value, isError);
  }

  /** Whether the key a delivery was handled under has moved to another worker since. */
  lost(entry: RemoteDelivery): boolean {
    const fence = entry.fence;
    return fence !== undefined && this.#holding(fence) === 'lost';
  }

  /** Answers what no longer waits for a confirmation (after the bucket was read). */
  release(): void {
    const waiting = this.#parked;
    this.#parked = [];
    for (const p of waiting) {
      if (this.#holding(p.entry.fence as Fence) === 'unverified') this.#parked.push(p);
      else this.#answer(p.entry, p.value, p.isError);
    }
  }

  /** Takes out everything held back (at close). */
  drain(): RemoteDelivery[] {
    return this.#parked.splice(0).map((p) => p.entry);
  }

  #holding(fence: Fence) {
    return this.#ownership.holding(fence.type, fence.key, fence.revision);
  }
}
