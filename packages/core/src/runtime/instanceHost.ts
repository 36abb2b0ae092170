import type { AnyActorRef } from 'xstate';
import type { AgentDef, SupervisionOptions } from '../agent/defineAgent.js';
import type { Deadlines } from './Deadlines.js';
import type { Delivery } from './Delivery.js';
import type { InstanceView } from './instanceRole.js';
import type { RuntimeInternals } from './internals.js';

/** An instance whose machine finished: its queue can be taken and it can be stopped. */
export interface DoneInstance extends InstanceView {
  drainQueue(): Delivery[];
  stop(error?: Error): void;
}

/**
 * What an instance needs from the host of its agent type (`AgentHost` implements it): the
 * definition, the supervision policy, and where its deliveries settle and its events go.
 */
export interface InstanceHost {
  readonly def: AgentDef;
  readonly runtime: RuntimeInternals;
  readonly supervision: SupervisionOptions;
  /** The hang watch of running handlers: one timer for every instance (it does not keep the process alive). */
  readonly hangs: Deadlines;
  /** The parent of handler agents' actors (one XState system for the type); machine agents' actors are roots. */
  readonly actorParent: AnyActorRef | undefined;
  chainIdOf(key: string): string;
  settle(d: Delivery, instance: InstanceView | undefined, value: unknown, isError: boolean): void;
  onStarted(d: Delivery, instance: InstanceView): void;
  onHung(instance: InstanceView, d: Delivery, overMs: number): void;
  onCrash(instance: InstanceView, error: Error, count: number): void;
  /** A machine agent reached its final state: the host forgets it and re-routes what it had queued. */
  onDone(instance: DoneInstance): void;
  initialStateFor(key: string): unknown;
}
