/** The last `capacity` frames of a run's live log with their seqs, for clients that reconnect with `after`. */
export class EventRing {
  readonly #frames: string[] = [];
  readonly #capacity: number;
  /** The seq of `#frames[0]`. */
  #first = 1;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Adds the frame of event `seq` (seqs come in order, without gaps). */
  push(seq: number, frame: string): void {
    if (this.#frames.length === 0) this.#first = seq;
    this.#frames.push(frame);
    if (this.#frames.length > this.#capacity) {
      this.#frames.shift();
      this.#first++;
    }
  }

  /** The frames of the events after `after`, or `undefined` when some of them are gone (or `after` is ahead). */
  after(after: number, last: number): string[] | undefined {
    if (after > last) return undefined;
    if (after === last) return [];
    if (this.#frames.length === 0 || after + 1 < this.#first) return undefined;
    return this.#frames.slice(after + 1 - this.#first);
  }
}
