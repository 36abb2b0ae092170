import {
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  nuid,
  type Subscription,
} from '@nats-io/transport-node';
import {
  type AgentAddress,
  type Envelope,
  formatAddress,
  type RequestOptions,
  TimeoutError,
  TransportError,
  type TroupeError,
} from '@troupe/core';
import { encodeControl } from './control.js';
import { HeaderBlock } from './HeaderBlock.js';
import { envelopeHeaders, Header } from './headers.js';
import { KeyRoute } from './KeyRoute.js';
import { closedError, requestError, statusError, subscriptionError } from './natsErrors.js';
import { encodeOutbound } from './outbound.js';
import type { Locate, Pending } from './pending.js';
import { ReceivedHeaders } from './ReceivedHeaders.js';
import { readReply } from './reply.js';
import { abortReason, watchAbort } from './signals.js';
import type { NatsTransportStats } from './stats.js';
import { controlSubject, instanceSubject, ownerSubject, typeSubject } from './subjects.js';

/** The transport's own timeout is a backstop: the runtime's deadline fires first, with a better message. */
const GRACE_MS = 1_000;
const SWEEP_MS = 250;
/** How long one locate request may take before it is sent again, ms. */
const LOCATE_TIMEOUT = 5_000;
/** Starts the reply tokens of locate requests (never the start of a base-36 counter). */
const LOCATE = '_';
/** Keyed routes kept before the idle ones are forgotten. */
const MAX_ROUTES = 100_000;
/** The headers of every locate request. */
const LOCATE_HEADERS = new HeaderBlock([Header.locate, '1']);

/** Options of {@link Requester}. */
export interface RequesterOptions {
  connection: NatsConnection;
  namespace: string;
  maxPayload: () => number;
  stats: NatsTransportStats;
  isClosing: () => boolean;
  /** Prefix of reply subjects (nats.js `inboxPrefix`; default `_INBOX`). */
  inboxPrefix?: string;
}

/**
 * The asking side of a {@link NatsTransport}: sends envelopes as requests
 * with replies multiplexed on one inbox subscription (as nats.js does, minus
 * the per-request error objects), turns replies and failures into values and
 * typed errors, and sends a cancel on the control subject when an ask is
 * aborted. Keyed asks and tells go to the owning worker's private subject,
 * located first, so they are handled in the order sent.
 */
export class Requester {
  readonly #o: RequesterOptions;
  readonly #inbox: string;
  readonly #waiting = new Map<string, Pending>();
  readonly #locates = new Map<string, Locate>();
  readonly #routes = new Map<string, KeyRoute<Pending>>();
  #sub: Subscription | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #counter = 0;

  constructor(options: RequesterOptions) {
    this.#o = options;
    this.#inbox = `${options.inboxPrefix ?? '_INBOX'}.${nuid.next()}.`;
    const fail = () => this.failPending(closedError(options.isClosing()));
    options.connection.closed().then(fail, fail);
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.#waiting.size;
  }

  /** Sends an envelope and resolves to the reply value; a tell resolves once the receiver accepted it. */
  request(envelope: Envelope, options: RequestOptions, tell: boolean): Promise<unknown> {
    const early = abortReason(options);
    if (early) return Promise.reject(early.reason);
    const encoded = encodeOutbound(envelope, tell, this.#o.maxPayload());
    if (encoded instanceof Error) return Promise.reject(encoded);
    const { data, headers, at } = encoded;
    const { type, key } = envelope.to;
    if (tell) this.#o.stats.tells++;
    else this.#o.stats.requests++;
    return new Promise<unknown>((resolve, reject) => {
      const route = key === undefined ? undefined : this.#route(type, key);
      const p: Pending = {
        envelope,
        data,
        headers,
        at,
        tell,
        options,
        token: this.#token(),
        seq: route ? route.nextSeq() : 0,
        expiresAt: at + options.timeout + GRACE_MS,
        subject: undefined,
        owner: undefined,
        off: undefined,
        resolve,
        reject,
      };
      this.#track(p);
      if (route) this.#sendKeyed(p, route);
      else this.#publish(p, typeSubject(this.#o.namespace, type));
    });
  }

  /** Forgets which worker owns which key (after a reconnect). */
  forgetOwners(): void {
    for (const route of this.#routes.values()) route.owner = undefined;
  }

  /** Rejects every pending request with `error`. */
  failPending(error: Error): void {
    this.#locates.clear();
    for (const route of this.#routes.values()) {
      route.locating = undefined;
      route.drain();
    }
    for (const token of [...this.#waiting.keys()]) this.#take(token)?.reject(error);
  }

  /**
   * The server refused a publish to `subject` (permissions): rejects what was sent there with
   * `error` at once instead of letting it time out. Returns how many requests failed.
   */
  failPublished(subject: string, error: TroupeError): number {
    let failed = 0;
    for (const [token, p] of this.#waiting) {
      if (p.subject !== subject) continue;
      this.#take(token)?.reject(error);
      failed++;
    }
    for (const [token, locate] of this.#locates) {
      if (locate.subject !== subject) continue;
      this.#locates.delete(token);
      failed += this.#failRoute(locate.route, error);
    }
    return failed;
  }

  /** Stops the reply subscription and the sweeper. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }

  #route(type: string, key: string): KeyRoute<Pending> {
    const slot = `${type}.${key}`;
    let route = this.#routes.get(slot);
    if (!route) {
      if (this.#routes.size >= MAX_ROUTES)
        for (const [s, r] of this.#routes) if (r.idle) this.#routes.delete(s);
      route = new KeyRoute<Pending>(type, key);
      this.#routes.set(slot, route);
    }
    return route;
  }

  #sendKeyed(p: Pending, route: KeyRoute<Pending>): void {
    if (route.open) {
      p.owner = route.owner;
      this.#publish(p, ownerSubject(this.#o.namespace, route.owner as string, route.type, route.key));
      return;
    }
    p.owner = undefined;
    p.subject = undefined;
    route.wait(p);
    if (route.locating === undefined) this.#locate(route);
  }

  /** Asks the workers who owns a key; its waiting messages go out once the answer names the owner. */
  #locate(route: KeyRoute<Pending>): void {
    const token = `${LOCATE}${this.#token()}`;
    const subject = instanceSubject(this.#o.namespace, route.type, route.key);
    route.locating = token;
    this.#locates.set(token, { route, subject, expiresAt: Date.now() + LOCATE_TIMEOUT });
    this.#ensureListening();
    try {
      this.#o.connection.publish(subject, undefined, {
        reply: this.#inbox + token,
        headers: LOCATE_HEADERS,
      });
    } catch (err) {
      this.#locates.delete(token);
      this.#failRoute(route, requestError(err, this.#context(route)));
    }
  }

  #onLocated(token: string, msg: Msg): void {
    const locate = this.#locates.get(token);
    if (!locate) return;
    this.#locates.delete(token);
    const route = locate.route;
    if (route.locating !== token) return;
    route.locating = undefined;
    const h = ReceivedHeaders.of(msg);
    if (h.hasError && msg.data.length === 0) {
      const status = statusError(msg.headers as MsgHdrs, locate.subject);
      this.#failRoute(route, requestError(status, this.#context(route)));
      return;
    }
    const reply = readReply(msg, h);
    const owner = h.get(Header.owner);
    if ('error' in reply || owner === undefined) {
      this.#failRoute(
        route,
        'error' in reply ? reply.error : new TransportError('locate reply names no owner'),
      );
      return;
    }
    route.owner = owner;
    for (const p of route.drain()) if (this.#waiting.get(p.token) === p) this.#sendKeyed(p, route);
  }

  /** Rejects every message waiting on a route; returns how many. */
  #failRoute(route: KeyRoute<Pending>, error: unknown): number {
    route.locating = undefined;
    let failed = 0;
    for (const p of route.drain()) {
      if (this.#take(p.token) !== p) continue;
      p.reject(error);
      failed++;
    }
    return failed;
  }

  #track(p: Pending): void {
    this.#waiting.set(p.token, p);
    this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_MS);
    this.#sweeper.unref?.();
    p.off = watchAbort(p.options, (reason) => {
      if (this.#take(p.token) !== p) return;
      p.reject(reason);
      if (p.subject !== undefined) this.#cancelRemote(p.envelope, reason);
    });
  }

  #publish(p: Pending, subject: string): void {
    this.#ensureListening();
    p.subject = subject;
    // The time left is measured now: a keyed message may have waited for its owner to be located.
    if (p.envelope.deadline !== undefined) {
      const now = Date.now();
      if (now !== p.at) {
        p.headers = envelopeHeaders(p.envelope, p.tell, now);
        p.at = now;
      }
    }
    try {
      this.#o.connection.publish(subject, p.data, { reply: this.#inbox + p.token, headers: p.headers });
    } catch (err) {
      if (this.#take(p.token) === p)
        p.reject(requestError(err, this.#context(p.envelope.to, p.options.timeout)));
    }
  }

  #ensureListening(): void {
    this.#sub ??= this.#o.connection.subscribe(`${this.#inbox}*`, {
      callback: (err, msg) => (err ? this.#listenFailed(err) : this.#onReply(msg)),
    });
  }

  /** The inbox subscription failed (the server refused it): nothing sent can be answered. */
  #listenFailed(err: Error): void {
    // nats.js closed it; the next request subscribes again (and learns the same at once, if still refused).
    this.#sub = undefined;
    const error = subscriptionError(err, `${this.#inbox}*`);
    this.#o.stats.denied += this.#waiting.size;
    this.failPending(error);
  }

  /** Removes a pending request (and its abort listener). */
  #take(token: string): Pending | undefined {
    const p = this.#waiting.get(token);
    if (!p) return undefined;
    this.#waiting.delete(token);
    p.off?.();
    return p;
  }

  #onReply(msg: Msg): void {
    const token = msg.subject.slice(this.#inbox.length);
    if (token.startsWith(LOCATE)) {
      this.#onLocated(token, msg);
      return;
    }
    const p = this.#waiting.get(token);
    if (!p) return;
    try {
      this.#answer(p, msg);
    } catch (err) {
      if (this.#take(token) === p) p.reject(new TransportError('unreadable reply', { cause: err }));
    }
  }

  #answer(p: Pending, msg: Msg): void {
    const h = ReceivedHeaders.of(msg);
    const { key, type } = p.envelope.to;
    const route = key === undefined ? undefined : this.#routes.get(`${type}.${key}`);
    if (h.hasError && msg.data.length === 0) {
      if (h.code === 503 && route && p.owner !== undefined) {
        // The owner we sent to is gone: locate the key again; this message keeps its place in line.
        if (route.owner === p.owner) route.owner = undefined;
        this.#sendKeyed(p, route);
        return;
      }
      this.#take(p.token);
      p.reject(
        requestError(
          statusError(msg.headers as MsgHdrs, p.subject ?? ''),
          this.#context(p.envelope.to, p.options.timeout),
        ),
      );
      return;
    }
    this.#take(p.token);
    // The owner moved (a reply relayed by the old one names the new one): send there from now on.
    const owner = route ? h.get(Header.owner) : undefined;
    if (route && owner !== undefined && route.locating === undefined) route.owner = owner;
    const reply = readReply(msg, h);
    if ('error' in reply) p.reject(reply.error);
    else p.resolve(reply.value);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [token, locate] of this.#locates) {
      if (locate.expiresAt > now) continue;
      this.#locates.delete(token);
      // Lost on the way (a reconnect): ask again while anything still waits; waits expire on their own.
      const route = locate.route;
      if (route.locating !== token) continue;
      route.locating = undefined;
      const live = route.drain().filter((p) => this.#waiting.get(p.token) === p);
      for (const p of live) route.wait(p);
      if (live.length > 0) this.#locate(route);
    }
    if (this.#waiting.size === 0 && this.#locates.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
      return;
    }
    for (const [token, p] of this.#waiting) {
      if (p.expiresAt > now) continue;
      this.#take(token);
      const ctx = this.#context(p.envelope.to, p.options.timeout);
      p.reject(
        new TimeoutError(`request to ${ctx.target} timed out after ${ctx.timeout} ms`, { data: { ...ctx } }),
      );
    }
  }

  #context(to: AgentAddress, timeout = 0): { target: string; namespace: string; timeout: number } {
    return { target: formatAddress(to), namespace: this.#o.namespace, timeout };
  }

  #token(): string {
    return (this.#counter++).toString(36);
  }

  #cancelRemote(envelope: Envelope, reason: unknown): void {
    const { connection: nc, namespace: ns } = this.#o;
    try {
      nc.publish(controlSubject(ns, envelope.runId ?? envelope.id), encodeControl(envelope.id, reason));
    } catch {
      // Closed connection: the handler's own deadline still stops it.
    }
  }
}
