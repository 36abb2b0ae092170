import type { Msg } from '@nats-io/transport-node';
import type { DeliveryOptions, Envelope, Timed } from '@troupe/core';
import type { Inbound } from './inbound.js';

/** A keyed delivery's fencing token: the key, and the owners-bucket revision this worker held it at. */
export interface Fence {
  readonly type: string;
  readonly key: string;
  readonly revision: number;
}

/**
 * One message being handled here for a remote asker, and the delivery
 * options the runtime gets for it. The AbortSignal is made only when
 * something reads it: `aborted` and `reason` answer without one, and most
 * messages finish without anyone looking at their signal.
 */
export class RemoteDelivery implements DeliveryOptions, Timed {
  readonly msg: Msg;
  readonly envelope: Envelope;
  readonly expectsReply: boolean;
  /** The worker to name as owner in the reply (keyed messages). */
  readonly owner: string | undefined;
  /** Keyed messages: the key and the owners-bucket revision it was held at, checked before answering. */
  fence: Fence | undefined;
  /** This transport logs failed tells itself, rate-limited (anyone on the network can cause them). */
  readonly reportsFailures = true;
  aborted = false;
  reason: unknown;
  /** Whether the asker has been answered (a result, or the abort reason). */
  answered = false;
  /** Its place in the endpoint's deadline heap (-1: not waiting there). */
  deadlineSlot = -1;
  deadlineAt = 0;
  /** What its deadline passing does (set by the endpoint when it schedules it). */
  expire: ((delivery: RemoteDelivery) => void) | undefined;
  #controller: AbortController | undefined;

  /** A delivery of `inbound`, received as `msg`; a tell, or a message with no reply subject, expects no reply. */
  constructor(msg: Msg, inbound: Inbound, owner: string | undefined) {
    this.msg = msg;
    this.envelope = inbound.envelope;
    this.expectsReply = !inbound.tell && Boolean(msg.reply);
    this.owner = owner;
  }

  /** Its deadline passed (called by the endpoint's {@link Deadlines}). */
  onDeadline(): void {
    this.expire?.(this);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** Aborts once; returns false when it was already aborted. */
  abort(reason: unknown): boolean {
    if (this.aborted) return false;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    return true;
  }
}
