import type { AgentRef, AgentTarget, AskOptions, Protocol, TellOptions } from '../agent/types.js';
import type { AgentAddress } from '../messages/address.js';
import type { Message } from '../messages/envelope.js';
import type { Delivery } from './Delivery.js';
import type { RuntimeInternals } from './internals.js';

/** An {@link AgentRef} sending through a runtime, optionally on behalf of a handler's task. */
export class BoundRef<P extends Protocol> implements AgentRef<P> {
  readonly address: AgentAddress;
  readonly #runtime: RuntimeInternals;
  readonly #parent: Delivery | undefined;

  constructor(runtime: RuntimeInternals, target: AgentTarget, parent?: Delivery) {
    this.#runtime = runtime;
    this.address = 'kind' in target ? { type: target.type } : target;
    this.#parent = parent;
  }

  ask<K extends keyof P & string>(
    message: Message<K, P[K]['payload']>,
    options?: AskOptions,
  ): Promise<P[K]['reply']> {
    return this.#runtime.askFrom(this.address, message, options, this.#parent) as Promise<P[K]['reply']>;
  }

  tell<K extends keyof P & string>(
    message: Message<K, P[K]['payload']>,
    options?: TellOptions,
  ): Promise<void> {
    return this.#runtime.tellFrom(this.address, message, options, this.#parent);
  }
}
