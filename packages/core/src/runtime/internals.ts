import type { AgentTarget, AskOptions, TellOptions } from '../agent/types.js';
import type { Logger } from '../logger.js';
import type { Message } from '../messages/envelope.js';
import type { ProgressInput } from '../progress/events.js';
import type { Store } from '../store/Store.js';
import type { Delivery } from './Delivery.js';
import type { InstanceView } from './instanceRole.js';

/** What hosts, instances and handler contexts need from their runtime. */
export interface RuntimeInternals {
  readonly namespace: string;
  readonly store: Store | undefined;
  readonly logger: Logger;
  askFrom(
    target: AgentTarget,
    message: Message,
    options: AskOptions | undefined,
    parent: Delivery | undefined,
  ): Promise<unknown>;
  tellFrom(
    target: AgentTarget,
    message: Message,
    options: TellOptions | undefined,
    parent: Delivery | undefined,
  ): Promise<void>;
  emitFor(d: Delivery, instance: InstanceView | undefined, event: ProgressInput): void;
  reportStarted(d: Delivery, instance: InstanceView): void;
  reportOutcome(
    d: Delivery,
    instance: InstanceView | undefined,
    value: unknown,
    error: Error | undefined,
  ): void;
}
