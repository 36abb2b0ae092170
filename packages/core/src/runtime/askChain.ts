import { DeadlockError } from '../errors/errors.js';
import { type AgentAddress, formatAddress } from '../messages/address.js';
import type { Envelope } from '../messages/envelope.js';

/**
 * The most instances an ask chain carries; beyond it the oldest are dropped (a cycle through
 * them is then caught by the timeout only). The envelope schema accepts up to 256.
 */
export const MAX_ASK_CHAIN = 64;

/** What {@link askChainOf} reads of the delivery whose handler asks (a runtime `Delivery`). */
export interface AskingDelivery {
  readonly envelope: Pick<Envelope, 'chain'>;
  readonly instance: { readonly chainId: string } | undefined;
}

/**
 * The chain of an ask made while handling `parent`: the instances waiting on the parent's
 * answer (its own chain, when it is an ask) and then the parent's instance, which now waits on
 * this ask. `undefined` for an ask from outside any handler.
 */
export function askChainOf(parent: AskingDelivery | undefined): string[] | undefined {
  const instance = parent?.instance;
  if (!instance) return undefined;
  const prior = parent.envelope.chain;
  if (prior === undefined || prior.length === 0) return [instance.chainId];
  const kept = prior.length >= MAX_ASK_CHAIN ? prior.slice(prior.length - MAX_ASK_CHAIN + 1) : prior;
  return [...kept, instance.chainId];
}

/**
 * The id an instance has on ask chains: `type/key`, which names one instance everywhere (a key
 * has one owner); a pool member's key (`_0`, …) exists in every runtime hosting the type, so it
 * gets `#` and its runtime's `tag` too (`#` is never part of a type or key).
 */
export function chainIdOf(address: Required<AgentAddress>, tag: string | undefined): string {
  const id = `${address.type}/${address.key}`;
  return tag === undefined ? id : `${id}#${tag}`;
}

/** The error for an ask to `target` (a chain id, or a type for a pool) whose chain it already waits on. */
export function deadlockError(envelope: Envelope, target: string, pool?: number): DeadlockError {
  const chain = [...(envelope.chain ?? []), target];
  const shown = chain.map((id) => id.replace(/#.*$/, '')).join(' → ');
  const to = formatAddress(envelope.to);
  const message =
    pool === undefined
      ? `deadlock: ask '${envelope.type}' to ${to} would wait on an instance that is waiting for its answer: ${shown}`
      : `deadlock: ask '${envelope.type}' to ${to}: all ${pool} instance(s) of the pool here are waiting for its answer: ${shown}`;
  return new DeadlockError(message, { data: { type: envelope.type, to: envelope.to, chain } });
}
