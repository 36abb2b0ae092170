import type { AnyActorRef } from 'xstate';
import { toError } from '../errors/wire.js';

/** The reply side of the message an instance is handling, looked up by the acting actor. */
export interface ReplySink {
  reply(value: unknown): void;
  fail(error: Error): void;
}

/** @internal the sink of the message each machine-agent actor is handling now (one at a time). */
export const replySinks = new WeakMap<AnyActorRef, ReplySink>();

interface ActionArgs<C, E> {
  context: C;
  event: E;
  self: AnyActorRef;
}

/**
 * An XState action that answers the message the machine agent is handling.
 * @example
 * on: { 'counter.get': { actions: reply(({ context }) => context.count) } }
 */
// biome-ignore lint/suspicious/noExplicitAny: mirrors XState's own loose action-argument typing
export function reply<C = any, E = any>(value?: (args: ActionArgs<C, E>) => unknown) {
  return (args: ActionArgs<C, E>): void => {
    replySinks.get(args.self)?.reply(value ? value(args) : undefined);
  };
}

/** An XState action that answers the current message with an error (the asker's promise rejects). */
// biome-ignore lint/suspicious/noExplicitAny: mirrors XState's own loose action-argument typing
export function fail<C = any, E = any>(error: (args: ActionArgs<C, E>) => unknown) {
  return (args: ActionArgs<C, E>): void => {
    replySinks.get(args.self)?.fail(toError(error(args)));
  };
}
