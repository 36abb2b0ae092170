import type { Context, Span } from '@opentelemetry/api';
import { copyValue } from '../messages/copy.js';
import type { Envelope } from '../messages/envelope.js';
import type { DeliveryOptions } from '../transport/Transport.js';
import { type AbortedAsk, AskControl } from './AskControl.js';
import type { InstanceView } from './instanceRole.js';
import type { TracedDelivery } from './tracing.js';

/** Where a delivery is settled (its agent type's host). */
export interface Settler {
  settle(d: Delivery, instance: InstanceView | undefined, value: unknown, isError: boolean): void;
}

/** One message on its way through an instance's mailbox, with the promise its sender awaits. */
export class Delivery implements TracedDelivery, AbortedAsk {
  readonly envelope: Envelope;
  readonly expectsReply: boolean;
  readonly promise: Promise<unknown>;
  /** Payload after validation (defaults, transforms applied). */
  payload: unknown;
  /** The instance it was routed to. */
  instance: InstanceView | undefined;
  settled = false;
  /** Asks its handler made that have not settled yet (routing avoids queueing behind it meanwhile). */
  asking = 0;
  /** The handler's span and the context it runs in (only while tracing is on). */
  span: Span | undefined;
  traceContext: Context | undefined;
  readonly #options: DeliveryOptions;
  readonly #settler: Settler;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;

  constructor(envelope: Envelope, options: DeliveryOptions, settler: Settler) {
    this.envelope = envelope;
    this.payload = envelope.payload;
    this.#options = options;
    this.#settler = settler;
    this.expectsReply = options.expectsReply;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // An in-process asker that gives up gets its answer now, even while the handler still runs.
    if (options instanceof AskControl) {
      options.deliverTo(this);
      if (options.aborted) this.abortedAsk(options.reason);
    }
  }

  /** @internal The in-process ask was aborted (cancelled, timed out): answered with `reason` now. */
  abortedAsk(reason: unknown): void {
    this.#settler.settle(this, this.instance, reason, true);
  }

  /** The signal the handler sees (created on first read for in-process asks). */
  get signal(): AbortSignal {
    return this.#options.signal;
  }

  /** Whether the sender gave up (read without creating a signal). */
  get aborted(): boolean {
    const o = this.#options;
    return typeof o.aborted === 'boolean' ? o.aborted : o.signal.aborted;
  }

  /** Why the sender gave up. */
  get abortReason(): unknown {
    const o = this.#options;
    return typeof o.aborted === 'boolean' ? o.reason : o.signal.reason;
  }

  /** Whether the transport reports this tell's failure itself. */
  get reportsFailures(): boolean {
    return this.#options.reportsFailures === true;
  }

  /** The in-process ask behind this delivery, when there is one. */
  get control(): AskControl | undefined {
    return this.#options instanceof AskControl ? this.#options : undefined;
  }

  /** The run id (the message id when the sender named none). */
  get runId(): string {
    return this.envelope.runId ?? this.envelope.id;
  }

  /** The task id (the message id when the sender named none). */
  get taskId(): string {
    return this.envelope.taskId ?? this.envelope.id;
  }

  resolve(value: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    const control = this.control;
    if (!control) {
      this.#resolve(value);
      return true;
    }
    control.dispose();
    // An in-process asker gets its own copy of the reply, as over NATS (see InProcessTransport).
    try {
      this.#resolve(copyValue(value, `reply to '${this.envelope.type}'`));
    } catch (err) {
      this.#reject(err);
    }
    return true;
  }

  reject(error: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.control?.dispose();
    this.#reject(error);
    return true;
  }
}
