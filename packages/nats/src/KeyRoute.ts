/**
 * How this process sends to one keyed instance. Everything for a key goes
 * down one path, the owner's private subject, so NATS delivers it in the
 * order sent (one publisher, one subscriber). Until the owner is known
 * (first use, or the owner vanished) messages wait here in send order while
 * one locate request asks the workers who owns the key.
 */
export class KeyRoute<T extends { readonly seq: number }> {
  readonly type: string;
  readonly key: string;
  /** The worker that owns the key, once a locate or a reply named it. */
  owner: string | undefined;
  /** Token of the locate request in flight, if any. */
  locating: string | undefined;
  /** Messages waiting for the owner, in send order. */
  #queue: T[] = [];
  #seq = 0;

  constructor(type: string, key: string) {
    this.type = type;
    this.key = key;
  }

  /** The next send-order number for this key. */
  nextSeq(): number {
    return this.#seq++;
  }

  /** Whether a message can go straight to the owner now (known, and nothing sent earlier still waits). */
  get open(): boolean {
    return this.owner !== undefined && this.locating === undefined && this.#queue.length === 0;
  }

  /** Whether nothing waits and nothing is being located (the route may be forgotten). */
  get idle(): boolean {
    return this.locating === undefined && this.#queue.length === 0;
  }

  /** Puts a message back in send order (a resend after its owner vanished may come after later ones). */
  wait(item: T): void {
    const q = this.#queue;
    let i = q.length;
    while (i > 0 && (q[i - 1] as T).seq > item.seq) i--;
    q.splice(i, 0, item);
  }

  /** Takes every waiting message out, in send order. */
  drain(): T[] {
    const q = this.#queue;
    this.#queue = [];
    return q;
  }
}
