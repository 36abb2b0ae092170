import type { SupervisionOptions } from '../agent/defineAgent.js';
import { AgentFailedError } from '../errors/errors.js';

/** The restart times still inside the window (ms since the epoch), with `now` added. */
export function recordRestart(restarts: readonly number[], now: number, windowMs: number): readonly number[] {
  return [...restarts.filter((t) => now - t < windowMs), now];
}

/** Ms to wait before restart number `count` (1-based): doubling from `backoffMs`, capped at `maxBackoffMs`. */
export function backoffDelay(count: number, policy: SupervisionOptions): number {
  return Math.min(policy.backoffMs * 2 ** (count - 1), policy.maxBackoffMs);
}

/** The error an instance failed for good answers with (it crashed more than `maxRestarts` in the window). */
export function failedError(
  address: { type: string; key: string },
  policy: SupervisionOptions,
  cause: Error | undefined,
): AgentFailedError {
  return new AgentFailedError(
    `agent ${address.type}/${address.key} failed: crashed more than ${policy.maxRestarts} times in ${policy.windowMs} ms`,
    { cause, data: { type: address.type, key: address.key } },
  );
}

/**
 * When a handler whose message has `deadline` (ms since the epoch) counts as hung: the deadline
 * plus `graceMs`; `undefined` when it is never watched (no deadline, or an infinite grace).
 */
export function hangDue(deadline: number | undefined, graceMs: number): number | undefined {
  if (deadline === undefined || !Number.isFinite(graceMs)) return undefined;
  return deadline + graceMs;
}
