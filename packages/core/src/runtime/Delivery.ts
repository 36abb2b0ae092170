import type { Envelope } from '../messages/envelope.js';

/** One message on its way through an instance's mailbox, with the promise its sender awaits. */
export class Delivery {
  readonly envelope: Envelope;
  readonly signal: AbortSignal;
  readonly expectsReply: boolean;
  readonly promise: Promise<unknown>;
  /** Payload after validation (defaults, transforms applied). */
  payload: unknown;
  settled = false;
  startedAt = 0;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;

  constructor(envelope: Envelope, signal: AbortSignal, expectsReply: boolean) {
    this.envelope = envelope;
    this.payload = envelope.payload;
    this.signal = signal;
    this.expectsReply = expectsReply;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
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
    this.#resolve(value);
    return true;
  }

  reject(error: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.#reject(error);
    return true;
  }
}
