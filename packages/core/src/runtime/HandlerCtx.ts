import type {
  AgentRef,
  AgentTarget,
  AskOptions,
  HandlerContext,
  Protocol,
  TellOptions,
} from '../agent/types.js';
import type { Envelope, Message } from '../messages/envelope.js';
import type { ProgressInput } from '../progress/events.js';
import { BoundRef } from './BoundRef.js';
import type { Delivery } from './Delivery.js';
import type { InstanceView } from './instanceRole.js';
import type { RuntimeInternals } from './internals.js';

/** The `ctx` a handler receives: one per message, bound to its delivery. */
export class HandlerCtx<S = unknown> implements HandlerContext<S> {
  readonly #runtime: RuntimeInternals;
  readonly #instance: InstanceView;
  readonly #delivery: Delivery;

  constructor(runtime: RuntimeInternals, instance: InstanceView, delivery: Delivery) {
    this.#runtime = runtime;
    this.#instance = instance;
    this.#delivery = delivery;
  }

  get signal(): AbortSignal {
    return this.#delivery.signal;
  }

  get self(): { type: string; key: string } {
    return this.#instance.address;
  }

  get envelope(): Envelope {
    return this.#delivery.envelope;
  }

  get runId(): string {
    return this.#delivery.runId;
  }

  get taskId(): string {
    return this.#delivery.taskId;
  }

  get state(): S {
    return this.#instance.state as S;
  }

  setState(next: S | ((previous: S) => S)): void {
    const value = typeof next === 'function' ? (next as (p: S) => S)(this.state) : next;
    this.#instance.setState(value);
  }

  ref<P extends Protocol>(target: AgentTarget): AgentRef<P> {
    return new BoundRef<P>(this.#runtime, target, this.#delivery);
  }

  ask<R = unknown>(target: AgentTarget, message: Message, options?: AskOptions): Promise<R> {
    return this.#runtime.askFrom(target, message, options, this.#delivery) as Promise<R>;
  }

  tell(target: AgentTarget, message: Message, options?: TellOptions): Promise<void> {
    return this.#runtime.tellFrom(target, message, options, this.#delivery);
  }

  emit(event: ProgressInput): void {
    this.#runtime.emitFor(this.#delivery, this.#instance, event);
  }
}
