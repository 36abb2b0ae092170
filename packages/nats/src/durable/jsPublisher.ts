import { type ApiError, JetStreamApiError, JetStreamError, type PubAck } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  createInbox,
  headers,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  NoRespondersError,
  type Subscription,
  TimeoutError,
} from '@nats-io/transport-node';
import { inboxPrefixOf } from '../connection.js';

/** Options of one {@link JetStreamPublisher.publish}. */
export interface PipelinedPublishOptions {
  /** `Nats-Msg-Id`: the stream drops a second message with this id within its duplicate window. */
  msgID?: string;
  /** `Nats-Expected-Last-Subject-Sequence`: 0 stores the message only when its subject holds none. */
  expectLastSubjectSequence?: number;
}

interface Pending {
  resolve: (ack: PubAck) => void;
  reject: (error: Error) => void;
  subject: string;
  /** When it gives up waiting for the ack, ms since the epoch. */
  deadline: number;
}

const decoder = new TextDecoder();
const EXPECT_LAST_SUBJECT_SEQ = 'Nats-Expected-Last-Subject-Sequence';
/** Every result write carries the same header; nats.js only reads a header set when publishing. */
const CREATE_ONLY = headers();
CREATE_ONLY.set(EXPECT_LAST_SUBJECT_SEQ, '0');

function headersFor(options: PipelinedPublishOptions): MsgHdrs {
  if (options.msgID === undefined && options.expectLastSubjectSequence === 0) return CREATE_ONLY;
  const h = headers();
  if (options.msgID !== undefined) h.set('Nats-Msg-Id', options.msgID);
  if (options.expectLastSubjectSequence !== undefined) {
    h.set(EXPECT_LAST_SUBJECT_SEQ, String(options.expectLastSubjectSequence));
  }
  return h;
}

/**
 * Publishes to JetStream with many acknowledgements in flight: every publish carries a reply
 * subject under ONE subscription of this publisher, and one sweep times out the acks that never
 * came. Publishes made in one turn of the event loop leave together (one socket write rather
 * than one per message, which costs more CPU than the message itself). `js.publish` makes a request per message instead (a timer, a request object and, in
 * nats.js 3.4, an error object built even on success), which is most of a publish's client cost
 * when results are written by the thousand. Rejects like `js.publish`: `JetStreamApiError` for
 * the server's refusals (wrong last sequence, message too large, …), nats.js `TimeoutError` when
 * no ack came within `timeoutMs` (the message may still have been stored), `NoRespondersError`
 * when no stream captures the subject, `ClosedConnectionError` once the connection is closed.
 */
export class JetStreamPublisher {
  readonly #nc: NatsConnection;
  readonly #timeoutMs: number;
  readonly #prefix: string;
  readonly #pending = new Map<string, Pending>();
  #sub: Subscription | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #next = 0;
  #closed = false;
  #queue: Array<() => void> = [];
  #flushing: ReturnType<typeof setImmediate> | undefined;

  constructor(nc: NatsConnection, options: { timeoutMs?: number } = {}) {
    this.#nc = nc;
    // The connection's own inbox prefix: a tenant confined by permissions may only receive there.
    this.#prefix = createInbox(inboxPrefixOf(nc));
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /**
   * Publishes `data` and resolves with the stream's ack once JetStream stored it. The message
   * leaves with the others queued in this turn of the event loop, in one socket write.
   */
  publish(subject: string, data: Uint8Array, options: PipelinedPublishOptions = {}): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      if (this.#closed) {
        reject(new ClosedConnectionError());
        return;
      }
      this.#queue.push(() => this.#send(subject, data, options, resolve, reject));
      this.#schedule();
    });
  }

  /** Runs `fn` (a core publish such as an ack) with the next batch of publishes, in the same write. */
  defer(fn: () => void): void {
    this.#queue.push(fn);
    this.#schedule();
  }

  /**
   * Sends what is queued and waits up to `timeoutMs` (default: the publish timeout) for the acks
   * of everything sent, so those publishes resolve; then {@link close}s.
   */
  async drain(timeoutMs = this.#timeoutMs): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    // Every pending publish settles on its ack, its deadline (the sweep) or a closed connection.
    const settled = [...this.#pending.values()].map(
      (p) =>
        new Promise<void>((done) => {
          const { resolve, reject } = p;
          p.resolve = (ack) => {
            done();
            resolve(ack);
          };
          p.reject = (error) => {
            done();
            reject(error);
          };
        }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(settled), expired]);
    clearTimeout(timer);
    this.close();
  }

  /** Sends what is queued, then stops listening for acks; pending and later publishes reject with `ClosedConnectionError`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    this.#failAll(new ClosedConnectionError());
  }

  #schedule(): void {
    this.#flushing ??= setImmediate(() => this.#flush());
  }

  #flush(): void {
    clearImmediate(this.#flushing);
    this.#flushing = undefined;
    const queue = this.#queue;
    this.#queue = [];
    for (const fn of queue) fn();
  }

  #send(
    subject: string,
    data: Uint8Array,
    options: PipelinedPublishOptions,
    resolve: (ack: PubAck) => void,
    reject: (error: Error) => void,
  ): void {
    const token = (++this.#next).toString(36);
    const h = headersFor(options);
    try {
      this.#subscribe();
      this.#nc.publish(subject, data, { reply: `${this.#prefix}.${token}`, headers: h });
    } catch (err) {
      reject(err as Error);
      return;
    }
    this.#pending.set(token, { resolve, reject, subject, deadline: Date.now() + this.#timeoutMs });
    this.#sweeper ??= this.#startSweeper();
  }

  #subscribe(): void {
    if (this.#sub) return;
    this.#sub = this.#nc.subscribe(`${this.#prefix}.*`, {
      callback: (err, msg) => {
        // The server refused the subscription (permissions): nothing pending will be answered.
        if (err) this.#failAll(err);
        else this.#onAck(msg);
      },
    });
    // The connection closed for good: nothing pending will be answered.
    void this.#sub.closed.then(() => this.#failAll(new ClosedConnectionError()));
  }

  #onAck(msg: Msg): void {
    const token = msg.subject.slice(this.#prefix.length + 1);
    const pending = this.#pending.get(token);
    if (!pending) return;
    this.#pending.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      pending.reject(new NoRespondersError(pending.subject));
      return;
    }
    try {
      const ack = JSON.parse(decoder.decode(msg.data)) as PubAck & { error?: ApiError };
      if (ack.error) pending.reject(new JetStreamApiError(ack.error));
      else if (!ack.stream) pending.reject(new JetStreamError('invalid ack response'));
      else {
        ack.duplicate = ack.duplicate === true;
        pending.resolve(ack);
      }
    } catch (err) {
      pending.reject(err as Error);
    }
  }

  #startSweeper(): ReturnType<typeof setInterval> {
    const every = Math.max(50, Math.min(1_000, Math.floor(this.#timeoutMs / 4)));
    const sweeper = setInterval(() => {
      const now = Date.now();
      for (const [token, pending] of this.#pending) {
        if (pending.deadline > now) continue;
        this.#pending.delete(token);
        pending.reject(new TimeoutError());
      }
      if (this.#pending.size === 0) {
        clearInterval(sweeper);
        this.#sweeper = undefined;
      }
    }, every);
    sweeper.unref();
    return sweeper;
  }

  #failAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
