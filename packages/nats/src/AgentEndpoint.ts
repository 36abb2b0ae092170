import {
  CancelledError,
  type Envelope,
  type Logger,
  TimeoutError,
  type TransportHost,
  type TroupeError,
  ValidationError,
} from '@troupe/core';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { readControl } from './control.js';
import { type Inbound, readInbound } from './inbound.js';
import { KeyedRouter } from './KeyedRouter.js';
import { Ownership } from './Ownership.js';
import { RemoteDelivery } from './RemoteDelivery.js';
import { type EncodedReply, errorReply, okReply } from './reply.js';
import type { NatsTransportStats } from './stats.js';
import { ownerSubject, typeSubject } from './subjects.js';

/** Options of {@link AgentEndpoint}. */
export interface AgentEndpointOptions {
  connection: NatsConnection;
  host: TransportHost;
  workerId: string;
  /** The largest message accepted or sent, bytes. */
  maxPayload: () => number;
  logger: Logger;
  stats: NatsTransportStats;
  /** Called after each reply went out (the transport sends the progress it caused in the same write). */
  afterReply?: () => void;
}

// setTimeout fires at once beyond this; such deadlines are left to the asker.
const MAX_TIMER = 2 ** 31 - 1;

/**
 * The serving side of a NatsTransport: subscribes to the subjects of served
 * types, validates what arrives, hands envelopes to the runtime with a signal
 * that the asker's cancels and the message deadline abort, and answers.
 */
export class AgentEndpoint {
  readonly #o: AgentEndpointOptions;
  readonly #ns: string;
  readonly #subs = new Map<string, Subscription[]>();
  readonly #inflight = new Map<string, RemoteDelivery>();
  readonly #router: KeyedRouter;
  readonly ownership: Ownership;
  #control: Subscription | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(options: AgentEndpointOptions) {
    this.#o = options;
    this.#ns = options.host.namespace;
    this.ownership = new Ownership({
      connection: options.connection,
      namespace: this.#ns,
      workerId: options.workerId,
      logger: options.logger,
    });
    this.#router = new KeyedRouter({
      connection: options.connection,
      namespace: this.#ns,
      workerId: options.workerId,
      ownership: this.ownership,
      stats: options.stats,
      deliver: (msg, inbound, owner) => this.#deliver(msg, inbound, owner),
      refuse: (msg, error) => this.#refuse(msg, error),
    });
  }

  /** Messages being handled now. */
  get inFlight(): number {
    return this.#inflight.size;
  }

  /** Subscribes to a type's subjects; resolves once the server has the subscriptions. */
  async serve(type: string): Promise<void> {
    if (this.#subs.has(type)) return;
    const nc = this.#o.connection;
    const base = typeSubject(this.#ns, type);
    const onError = (err: Error | null) => {
      if (err) this.#o.logger.warn(`subscription of '${type}' failed`, { error: err.message });
    };
    this.#subs.set(type, [
      nc.subscribe(base, {
        queue: type,
        callback: (err, msg) => (err ? onError(err) : this.#onMessage(msg, type, undefined)),
      }),
      nc.subscribe(`${base}.*`, {
        queue: type,
        callback: (err, msg) => (err ? onError(err) : this.#onMessage(msg, type, lastToken(msg.subject))),
      }),
      nc.subscribe(ownerSubject(this.#ns, this.#o.workerId, type, '*'), {
        callback: (err, msg) => (err ? onError(err) : this.#onMessage(msg, type, lastToken(msg.subject))),
      }),
    ]);
    this.#control ??= nc.subscribe(`troupe.${this.#ns}.control.>`, {
      callback: (err, msg) => (err ? onError(err) : this.#onControl(msg)),
    });
    await nc.flush();
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
    this.#control?.unsubscribe();
    this.#control = undefined;
    await this.ownership.release();
  }

  #onMessage(msg: Msg, type: string, key: string | undefined): void {
    try {
      this.#accept(msg, type, key);
    } catch (err) {
      // Nothing a sender does may take the subscription down.
      this.#o.logger.warn(`failed to handle a message on ${msg.subject}`, { error: (err as Error).message });
    }
  }

  #accept(msg: Msg, type: string, key: string | undefined): void {
    this.#o.stats.received++;
    let inbound: Inbound | TroupeError | null;
    try {
      inbound = readInbound(msg, { type, key, maxPayload: this.#o.maxPayload() });
    } catch (err) {
      inbound = new ValidationError('unreadable message', {
        cause: err,
        issues: [{ path: '', message: 'unreadable' }],
      });
    }
    if (inbound === null) {
      this.#o.stats.misrouted++;
      return;
    }
    if (inbound instanceof Error) {
      this.#o.stats.invalid++;
      this.#refuse(msg, inbound);
      return;
    }
    if (key === undefined) this.#deliver(msg, inbound, undefined);
    else this.#router.route(msg, inbound, type, key);
  }

  #deliver(msg: Msg, inbound: Inbound, owner: string | undefined): void {
    const { envelope, tell } = inbound;
    const stats = this.#o.stats;
    if (tell && msg.reply) this.#respond(msg, okReply(undefined, this.#o.maxPayload()));
    const entry = new RemoteDelivery(msg, !tell && Boolean(msg.reply), owner);
    if (envelope.deadline !== undefined) {
      const left = envelope.deadline - Date.now();
      if (left <= 0) {
        stats.expired++;
        if (entry.expectsReply) this.#respond(msg, errorReply(expiredError(envelope), owner));
        return;
      }
      if (left < MAX_TIMER) entry.timer = setTimeout(() => this.#expire(entry, envelope), left);
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
    if (entry.answered || !entry.expectsReply) return;
    entry.answered = true;
    const max = this.#o.maxPayload();
    this.#respond(entry.msg, isError ? errorReply(value, entry.owner) : okReply(value, max, entry.owner));
    this.#o.afterReply?.();
  }

  /** Aborts a delivery and answers the asker with the reason at once (the handler may not stop). */
  #abort(entry: RemoteDelivery, reason: Error): void {
    entry.abort(reason);
    if (!entry.answered && entry.expectsReply) {
      entry.answered = true;
      this.#respond(entry.msg, errorReply(reason, entry.owner));
    }
  }

  #expire(entry: RemoteDelivery, envelope: Envelope): void {
    entry.timer = undefined;
    if (entry.aborted) return;
    this.#o.stats.expired++;
    this.#abort(entry, expiredError(envelope));
  }

  #finish(id: string, entry: RemoteDelivery): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
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
  }

  #refuse(msg: Msg, error: TroupeError): void {
    if (!msg.reply) {
      this.#o.stats.invalidDropped++;
      this.#o.logger.debug(`dropped a message on ${msg.subject}: ${error.message}`);
      return;
    }
    this.#respond(msg, errorReply(error));
  }

  #respond(msg: Msg, reply: EncodedReply): void {
    try {
      if (msg.respond(reply.data, { headers: reply.headers })) this.#o.stats.replied++;
    } catch (err) {
      this.#o.logger.debug(`could not reply on ${msg.reply}`, { error: (err as Error).message });
    }
  }
}

function expiredError(envelope: Envelope): TimeoutError {
  return new TimeoutError(`'${envelope.type}' passed its deadline`, {
    data: { type: envelope.type, deadline: envelope.deadline },
  });
}

function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}
