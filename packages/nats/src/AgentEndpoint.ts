import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CancelledError,
  Deadlines,
  type Logger,
  TransportError,
  type TransportHost,
  type TroupeError,
  ValidationError,
} from '@troupe/core';
import { readControl } from './control.js';
import { expiredError, lostError } from './endpointErrors.js';
import { Header, headerOf } from './headers.js';
import { type Expectation, type Inbound, readInbound } from './inbound.js';
import { KeyedRouter, type Routable } from './KeyedRouter.js';
import type { LogDigest } from './LogDigest.js';
import { subscriptionError } from './natsErrors.js';
import { Ownership } from './Ownership.js';
import { ReceivedHeaders } from './ReceivedHeaders.js';
import { type Fence, RemoteDelivery } from './RemoteDelivery.js';
import { ReplyFence } from './ReplyFence.js';
import { type EncodedReply, errorReply, okReply, respond } from './reply.js';
import type { NatsTransportStats } from './stats.js';
import { instanceSubject, ownerSubject, typeSubject } from './subjects.js';

/** Options of {@link AgentEndpoint}. */
export interface AgentEndpointOptions {
  connection: NatsConnection;
  host: TransportHost;
  workerId: string;
  /** The largest message accepted or sent, bytes. */
  maxPayload: () => number;
  logger: Logger;
  /** Where warnings about what arrives from the network go, rate-limited. */
  digest: LogDigest;
  stats: NatsTransportStats;
  /** Called after each reply went out (the transport sends the progress it caused in the same write). */
  afterReply?: () => void;
}

// Timers fire at once beyond this; such deadlines are left to the asker.
const MAX_TIMER = 2 ** 31 - 1;

/**
 * The serving side of a NatsTransport: subscribes to the subjects of served
 * types, validates what arrives, hands envelopes to the runtime with a signal
 * that the asker's cancels and the message deadline abort, and answers.
 * Keyed answers are fenced: a result computed while this worker's hold on the
 * key is unconfirmed (after a disconnect) waits for the owners bucket, and
 * becomes an error if the key moved meanwhile.
 */
export class AgentEndpoint {
  readonly #o: AgentEndpointOptions;
  readonly #ns: string;
  readonly #subs = new Map<string, Subscription[]>();
  readonly #inflight = new Map<string, RemoteDelivery>();
  readonly #router: KeyedRouter;
  readonly ownership: Ownership;
  #control: Subscription | undefined;
  readonly #fence: ReplyFence;
  #idleWaiters: Array<() => void> = [];
  /** Deadlines of the messages in flight, on one timer. */
  readonly #deadlines = new Deadlines({ keepsAlive: true });
  readonly #onExpire = (entry: RemoteDelivery): void => this.#expire(entry);

  constructor(options: AgentEndpointOptions) {
    this.#o = options;
    this.#ns = options.host.namespace;
    this.ownership = new Ownership({
      connection: options.connection,
      namespace: this.#ns,
      workerId: options.workerId,
      logger: options.logger,
      onLost: (type, key) => this.#lost(type, key),
      // A fresh claim: an instance still in memory is from an earlier hold (the key may have moved
      // and changed meanwhile), so it goes and the state is loaded from the store.
      onClaimed: (type, key) =>
        this.#o.host.evict?.(
          type,
          key,
          new TransportError(`${type}/${key} was claimed again; stale instance dropped`),
        ),
    });
    this.#router = new KeyedRouter({
      connection: options.connection,
      namespace: this.#ns,
      workerId: options.workerId,
      ownership: this.ownership,
      stats: options.stats,
      refuse: (msg, error) => this.#refuse(msg, error),
    });
    this.#fence = new ReplyFence(this.ownership, (entry, value, isError) =>
      this.#answer(entry, value, isError),
    );
  }

  /** Messages being handled now. */
  get inFlight(): number {
    return this.#inflight.size;
  }

  /** Subscribes to a type's subjects; resolves once the server has the subscriptions. */
  async serve(type: string): Promise<void> {
    if (this.#subs.has(type)) return;
    const nc = this.#o.connection;
    let refused: Error | undefined;
    const onError = (err: Error) => {
      refused ??= err;
      this.#o.digest.warn('subscription errors', `a subscription of '${type}' failed: ${err.message}`);
    };
    const keyed = (err: Error | null, msg: Msg) =>
      err ? onError(err) : this.#onMessage(msg, type, lastToken(msg.subject));
    this.#subs.set(type, [
      nc.subscribe(typeSubject(this.#ns, type), {
        queue: type,
        callback: (err, msg) => (err ? onError(err) : this.#onMessage(msg, type, undefined)),
      }),
      nc.subscribe(instanceSubject(this.#ns, type, '*'), { queue: type, callback: keyed }),
      nc.subscribe(ownerSubject(this.#ns, this.#o.workerId, type, '*'), { callback: keyed }),
    ]);
    this.#control ??= nc.subscribe(`troupe.${this.#ns}.control.>`, {
      callback: (err, msg) => (err ? onError(err) : this.#onControl(msg)),
    });
    // A refusal arrives before the flush's PONG: fail now rather than serve half the subjects.
    await nc.flush();
    if (refused) {
      this.unserve(type);
      throw subscriptionError(refused, `the subjects of '${type}'`);
    }
  }

  /**
   * Stops taking messages for a type. Its keys are released once what is in
   * flight finished (or at close), without holding up the caller: a runtime
   * unserves before it drains.
   */
  unserve(type: string): void {
    const subs = this.#subs.get(type);
    if (!subs) return;
    this.#subs.delete(type);
    for (const sub of subs) sub.unsubscribe();
    void this.whenIdle()
      .then(() => (this.#subs.has(type) ? undefined : this.ownership.release(type)))
      .catch(() => {}); // best effort: an unreleased key is taken over once this worker is gone
  }

  /** Resolves when nothing is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The connection dropped: keys held may be taken over meanwhile, so hold answers until confirmed. */
  disconnected(): void {
    this.ownership.suspect();
  }

  /** The connection is back: confirm (or drop) every key held, then send the answers that waited. */
  async reconnected(): Promise<void> {
    this.ownership.suspect();
    await this.ownership.verify();
    this.#fence.release();
  }

  /** Stops everything: waits for in-flight messages up to `timeout` ms, then aborts (and answers) the rest. */
  async close(timeout: number): Promise<void> {
    for (const subs of this.#subs.values()) for (const sub of subs) sub.unsubscribe();
    this.#subs.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    await Promise.race([this.whenIdle(), expired]);
    clearTimeout(timer);
    const reason = new CancelledError('transport closed: in-flight message aborted');
    for (const entry of [...this.#inflight.values()]) this.#abort(entry, reason);
    for (const entry of this.#fence.drain()) this.#answer(entry, reason, true);
    this.#deadlines.clear();
    this.#control?.unsubscribe();
    this.#control = undefined;
    await this.ownership.release();
  }

  #onMessage(msg: Msg, type: string, key: string | undefined): void {
    try {
      this.#accept(msg, type, key);
    } catch (err) {
      // Nothing a sender does may take the subscription down.
      this.#o.digest.warn('messages that failed', `failed to handle a message on ${msg.subject}`, {
        error: (err as Error).message,
      });
    }
  }

  #accept(msg: Msg, type: string, key: string | undefined): void {
    this.#o.stats.received++;
    // Keyed subjects also take locate requests: their headers are read first (and once).
    const headers = key === undefined ? undefined : ReceivedHeaders.of(msg);
    if (key !== undefined && headers?.get(Header.locate) === '1') {
      this.#locate(msg, type, key, headers);
      return;
    }
    let inbound: Inbound | TroupeError;
    try {
      const expect: Expectation = { type, key, maxPayload: this.#o.maxPayload() };
      if (headers) expect.headers = headers;
      inbound = readInbound(msg, expect);
    } catch (err) {
      inbound = new ValidationError('unreadable message', {
        cause: err,
        issues: [{ path: '', message: 'unreadable' }],
      });
    }
    if (inbound instanceof Error) {
      this.#o.stats.invalid++;
      this.#refuse(msg, inbound);
      return;
    }
    if (key === undefined) {
      this.#deliver(msg, inbound, undefined);
      return;
    }
    const valid = inbound;
    this.#router.route(
      {
        msg,
        hops: valid.hops,
        deadline: valid.envelope.deadline,
        label: valid.envelope.type,
        here: (owner) => this.#deliver(msg, valid, owner),
      },
      type,
      key,
    );
  }

  /** A locate request: answered by the owner of the key with an empty reply naming itself. */
  #locate(msg: Msg, type: string, key: string, headers: ReceivedHeaders): void {
    if (!msg.reply) {
      this.#o.stats.invalidDropped++;
      return;
    }
    this.#o.stats.locates++;
    const hops = Number(headers.get(Header.hops) ?? 0);
    const r: Routable = {
      msg,
      hops: Number.isFinite(hops) ? hops : 0,
      deadline: undefined,
      label: 'locate',
      here: (owner) => this.#respond(msg, okReply(undefined, this.#o.maxPayload(), owner)),
    };
    this.#router.route(r, type, key);
  }

  #deliver(msg: Msg, inbound: Inbound, owner: string | undefined): void {
    const { envelope, tell } = inbound;
    const stats = this.#o.stats;
    if (tell && msg.reply) this.#respond(msg, okReply(undefined, this.#o.maxPayload(), owner));
    const entry = new RemoteDelivery(msg, inbound, owner);
    const key = envelope.to.key;
    const revision = key === undefined ? undefined : this.ownership.revisionOf(envelope.to.type, key);
    if (key !== undefined && revision !== undefined) entry.fence = { type: envelope.to.type, key, revision };
    if (envelope.deadline !== undefined) {
      const left = envelope.deadline - Date.now();
      if (left <= 0) {
        stats.expired++;
        if (entry.expectsReply)
          this.#respond(msg, errorReply(expiredError(envelope), owner, this.#o.maxPayload()));
        return;
      }
      if (left < MAX_TIMER) {
        entry.expire = this.#onExpire;
        this.#deadlines.add(entry, envelope.deadline);
      }
    }
    const previous = this.#inflight.get(envelope.id);
    if (previous) this.#abort(previous, new CancelledError(`superseded by a message with the same id`));
    this.#inflight.set(envelope.id, entry);
    stats.delivered++;
    this.#o.host.deliver(envelope, entry).then(
      (value) => this.#settle(envelope.id, entry, value, false),
      (err: unknown) => this.#settle(envelope.id, entry, err, true),
    );
  }

  #settle(id: string, entry: RemoteDelivery, value: unknown, isError: boolean): void {
    this.#finish(id, entry);
    if (entry.answered) return;
    if (!entry.expectsReply) {
      if (isError) this.#tellFailed(entry, value);
      return;
    }
    this.#fence.settle(entry, value, isError);
  }

  /** Answers an asker, unless the key its message was handled under has moved to another worker. */
  #answer(entry: RemoteDelivery, value: unknown, isError: boolean): void {
    if (entry.answered) return;
    entry.answered = true;
    const max = this.#o.maxPayload();
    const reply = this.#fence.lost(entry)
      ? errorReply(lostError(entry.fence as Fence), entry.owner, max)
      : isError
        ? errorReply(value, entry.owner, max)
        : okReply(value, max, entry.owner);
    this.#respond(entry.msg, reply);
    this.#o.afterReply?.();
  }

  /** This worker lost a key while unreachable: stop what runs for it and drop the instance's stale state. */
  #lost(type: string, key: string): void {
    this.#o.stats.lost++;
    const reason = lostError({ type, key, revision: 0 });
    for (const entry of this.#inflight.values()) {
      if (entry.fence?.type === type && entry.fence.key === key) entry.abort(reason);
    }
    const host = this.#o.host;
    if (host.evict) host.evict(type, key, reason);
    else this.#o.logger.warn(`lost ${type}/${key}, but this runtime cannot drop the instance's state`);
  }

  #tellFailed(entry: RemoteDelivery, error: unknown): void {
    const env = readEnvelopeType(entry.msg);
    this.#o.digest.warn('tells that failed', `a tell${env} failed: ${(error as Error)?.message ?? error}`);
  }

  /** Aborts a delivery and answers the asker with the reason at once (the handler may not stop). */
  #abort(entry: RemoteDelivery, reason: Error): void {
    entry.abort(reason);
    if (!entry.answered && entry.expectsReply) {
      entry.answered = true;
      this.#respond(entry.msg, errorReply(reason, entry.owner, this.#o.maxPayload()));
    }
  }

  #expire(entry: RemoteDelivery): void {
    const envelope = entry.envelope;
    if (entry.aborted) return;
    this.#o.stats.expired++;
    this.#abort(entry, expiredError(envelope));
    // Answered: forget it now, even if the handler ignores its signal (the runtime abandons it later).
    this.#finish(envelope.id, entry);
  }

  #finish(id: string, entry: RemoteDelivery): void {
    this.#deadlines.remove(entry);
    if (this.#inflight.get(id) !== entry) return;
    this.#inflight.delete(id);
    if (this.#inflight.size === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  #onControl(msg: Msg): void {
    const control = readControl(msg.data);
    if (!control) {
      this.#o.stats.badControl++;
      return;
    }
    const entry = this.#inflight.get(control.id);
    if (!entry || entry.aborted) return;
    this.#o.stats.cancelled++;
    this.#abort(entry, control.reason);
    this.#finish(control.id, entry);
  }

  #refuse(msg: Msg, error: TroupeError): void {
    if (!msg.reply) {
      this.#o.stats.invalidDropped++;
      this.#o.digest.warn(
        'invalid messages without a reply subject dropped',
        `dropped an invalid message on ${msg.subject}: ${error.message}`,
      );
      return;
    }
    this.#respond(msg, errorReply(error, undefined, this.#o.maxPayload()));
  }

  #respond(msg: Msg, reply: EncodedReply): void {
    if (respond(msg, reply, this.#o.logger)) this.#o.stats.replied++;
  }
}

function readEnvelopeType(msg: Msg): string {
  const type = headerOf(msg.headers, Header.type);
  return type === undefined ? '' : ` '${type}'`;
}

function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}
