import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { TimeoutError, TransportError, type TroupeError } from '@troupe/core';
import { Header, timeLeft, withHeader } from './headers.js';
import { isNoResponders, requestError } from './natsErrors.js';
import type { Ownership } from './Ownership.js';
import type { NatsTransportStats } from './stats.js';
import { ownerSubject } from './subjects.js';

/** Options of {@link KeyedRouter}. */
export interface KeyedRouterOptions {
  connection: NatsConnection;
  namespace: string;
  workerId: string;
  ownership: Ownership;
  stats: NatsTransportStats;
  /** Answers a message with an error. */
  refuse(msg: Msg, error: TroupeError): void;
}

/** Something to route to the owner of a key: a keyed message, or a locate request. */
export interface Routable {
  readonly msg: Msg;
  /** How many times a worker already passed it on. */
  readonly hops: number;
  /** Absolute deadline, ms since the epoch, if it has one. */
  readonly deadline: number | undefined;
  /** What it is, for error messages (a message type, or `locate`). */
  readonly label: string;
  /** Handles it on this worker, which owns the key (`owner` is this worker's id). */
  here(owner: string): void;
}

/** How often a message may be passed on between workers before it is refused. */
const MAX_HOPS = 2;
/** How long a forwarded message without a deadline may take, ms. */
const FORWARD_TIMEOUT = 30_000;

/**
 * Routes keyed messages (`{ type, key }`) to the one worker that owns the key:
 * handles them here when this worker owns it, otherwise forwards to the owner's
 * private subject and relays its answer; when the owner has no responders
 * (it is gone), takes the key over. Messages for one key wait for the
 * previous one's routing, so they reach the owner in arrival order.
 */
export class KeyedRouter {
  readonly #o: KeyedRouterOptions;
  readonly #chains = new Map<string, Promise<void>>();

  constructor(options: KeyedRouterOptions) {
    this.#o = options;
  }

  /** Routes one validated keyed message or locate request. */
  route(r: Routable, type: string, key: string): void {
    const slot = `${type}.${key}`;
    const pending = this.#chains.get(slot);
    if (!pending && this.#o.ownership.isMine(type, key)) {
      r.here(this.#o.workerId);
      return;
    }
    const step = () => this.#dispatch(r, type, key, 0);
    const next = (pending ?? Promise.resolve()).then(step);
    this.#chains.set(slot, next);
    void next.then(() => {
      if (this.#chains.get(slot) === next) this.#chains.delete(slot);
    });
  }

  /** Handles here or forwards; never rejects (failures are answered). */
  async #dispatch(r: Routable, type: string, key: string, attempt: number): Promise<void> {
    const { ownership, workerId } = this.#o;
    try {
      if (ownership.isMine(type, key)) {
        r.here(workerId);
        return;
      }
      // A message already passed on once is routed on fresh information, not on the cache that sent it here.
      const cached = r.hops === 0 ? ownership.cachedOther(type, key) : undefined;
      const found = cached ? { mine: false as const, ...cached } : await ownership.lookup(type, key);
      if (found.mine) {
        r.here(workerId);
        return;
      }
      if (r.hops >= MAX_HOPS || attempt > 2) {
        this.#o.refuse(r.msg, new TransportError(`ownership of ${type}/${key} is moving; try again`));
        return;
      }
      this.#forward(r, type, key, found.owner, found.revision, attempt);
    } catch (err) {
      this.#o.refuse(
        r.msg,
        err instanceof TransportError
          ? err
          : new TransportError(`could not route to ${type}/${key}`, { cause: err }),
      );
    }
  }

  #forward(r: Routable, type: string, key: string, owner: string, revision: number, attempt: number): void {
    const { connection, namespace, stats } = this.#o;
    const { msg } = r;
    const timeout = r.deadline === undefined ? FORWARD_TIMEOUT : r.deadline - Date.now();
    if (timeout <= 0) {
      this.#o.refuse(msg, new TimeoutError(`'${r.label}' passed its deadline`));
      return;
    }
    let headers = withHeader(msg.headers, Header.hops, String(r.hops + 1));
    if (r.deadline !== undefined) headers.set(Header.timeout, timeLeft(r.deadline));
    // A plain publish is forwarded as a tell, so the owner acknowledges and we learn that it is alive.
    if (!msg.reply) headers = withHeader(headers, Header.tell, '1');
    stats.forwarded++;
    connection
      .request(ownerSubject(namespace, owner, type, key), msg.data, { timeout, headers })
      .then(
        (reply) => {
          if (msg.reply) msg.respond(reply.data, reply.headers ? { headers: reply.headers } : {});
        },
        (err: unknown) => {
          if (isNoResponders(err)) {
            void this.#takeOver(r, type, key, revision, attempt);
            return;
          }
          this.#o.refuse(msg, requestError(err, { target: `${type}/${key}`, namespace, timeout }));
        },
      )
      .catch(() => {
        // respond() throws only when the connection closed; the asker's own timeout covers it.
      });
  }

  async #takeOver(r: Routable, type: string, key: string, revision: number, attempt: number): Promise<void> {
    try {
      if (await this.#o.ownership.takeOver(type, key, revision)) {
        this.#o.stats.takeovers++;
        r.here(this.#o.workerId);
        return;
      }
    } catch {
      // fall through: someone else changed the owner; route again on fresh information
    }
    await this.#dispatch({ ...r, hops: Math.max(r.hops, 1) }, type, key, attempt + 1);
  }
}
