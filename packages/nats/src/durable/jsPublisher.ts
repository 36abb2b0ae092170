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
import { Deadlines, onAbort, type Timed } from '@troupe/core';
import { inboxPrefixOf } from '../connection.js';

/** Options of one {@link JetStreamPublisher.publish}. */
export interface PipelinedPublishOptions {
  /** `Nats-Msg-Id`: the stream drops a second message with this id within its duplicate window. */
  msgID?: string;
  /** `Nats-Expected-Last-Subject-Sequence`: 0 stores the message only when its subject holds none. */
  expectLastSubjectSequence?: number;
  /**
   * Wait at most this long for the ack, ms above 0 (default, and upper bound: the publisher's
   * timeout; anything else, NaN included, means the default). On expiry the publish rejects with nats.js `TimeoutError`; the message may still
   * have been stored.
   */
  timeoutMs?: number;
  /**
   * Aborting rejects the publish with the signal's reason (as is, whatever it is); a message
   * already sent may still be stored.
   */
  signal?: AbortSignal;
}

/** A publish waiting for its ack; it times out on the publisher's {@link Deadlines}. */
class Pending implements Timed {
  deadlineSlot = -1;
  deadlineAt = 0;
  /** Stops listening to the publish's signal (set when it has one). */
  unlisten: (() => void) | undefined;

  constructor(
    readonly token: string,
    public resolve: (ack: PubAck) => void,
    public reject: (error: unknown) => void,
    readonly subject: string,
    readonly expire: (pending: Pending) => void,
  ) {}

  onDeadline(): void {
    this.expire(this);
  }
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
 * subject under ONE subscription of this publisher, and one deadline heap (core's `Deadlines`,
 * not a timer per publish) times out the acks that never came. Publishes made in one turn of the
 * event loop leave together (one socket write rather than one per message, which costs more CPU
 * than the message itself). `js.publish` makes a request per message instead (a timer, a request
 * object and, in nats.js 3.4, an error object built even on success), which is most of a
 * publish's client cost when results are written by the thousand. Rejects like `js.publish`: `JetStreamApiError` for
 * the server's refusals (wrong last sequence, message too large, …), nats.js `TimeoutError` when
 * no ack came within `timeoutMs` (the message may still have been stored), the signal's reason
 * when a publish's `signal` aborts, `NoRespondersError`
 * when no stream captures the subject, `ClosedConnectionError` once the connection is closed.
 */
export class JetStreamPublisher {
  readonly #nc: NatsConnection;
  readonly #timeoutMs: number;
  readonly #prefix: string;
  readonly #pending = new Map<string, Pending>();
  /** When each pending publish stops waiting for its ack; it never keeps the process alive. */
  readonly #deadlines = new Deadlines({ keepsAlive: false });
  readonly #expire = (pending: Pending): void => {
    this.#settle(pending);
    pending.reject(new TimeoutError());
  };
  #sub: Subscription | undefined;
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
      if (options.signal?.aborted) {
        reject(options.signal.reason);
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
    // Every pending publish settles on its ack, its deadline, its signal or a closed connection.
    const settled = [...this.#pending.values()].map(
      (p: Pending) =>
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
    for (const fn of queue) {
      // Each publish settles its own errors and acks swallow theirs; one throwing anyway must not
      // strand the publishes queued behind it.
      try {
        fn();
      } catch {}
    }
  }

  #send(
    subject: string,
    data: Uint8Array,
    options: PipelinedPublishOptions,
    resolve: (ack: PubAck) => void,
    reject: (error: unknown) => void,
  ): void {
    const { signal } = options;
    // Aborted while queued: never sent.
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const token = (++this.#next).toString(36);
    try {
      this.#subscribe();
      this.#nc.publish(subject, data, { reply: `${this.#prefix}.${token}`, headers: headersFor(options) });
    } catch (err) {
      reject(err);
      return;
    }
    const pending = new Pending(token, resolve, reject, subject, this.#expire);
    this.#pending.set(token, pending);
    const asked = options.timeoutMs;
    // Anything but a number above 0 (NaN included) waits the publisher's own timeout.
    const wait = typeof asked === 'number' && asked > 0 ? Math.min(this.#timeoutMs, asked) : this.#timeoutMs;
    this.#deadlines.add(pending, Date.now() + wait);
    if (signal) {
      try {
        pending.unlisten = onAbort(signal, () => {
          this.#settle(pending);
          pending.reject(signal.reason);
        });
      } catch (err) {
        // Not an AbortSignal after all: the publish is sent; it fails rather than wait unbounded.
        this.#settle(pending);
        reject(err);
      }
    }
  }

  /** Forgets a pending publish (answered, expired, aborted) before it is resolved or rejected. */
  #settle(pending: Pending): void {
    this.#pending.delete(pending.token);
    this.#deadlines.remove(pending);
    pending.unlisten?.();
    pending.unlisten = undefined;
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
    this.#settle(pending);
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

  #failAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#deadlines.clear();
    for (const p of pending) {
      p.unlisten?.();
      p.reject(error);
    }
  }
}
