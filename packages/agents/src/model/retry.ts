import { CancelledError, onAbort, TroupeError } from '@troupe/core';
import { ModelError } from './errors.js';

/**
 * The one retry policy of every model call: exponential backoff with jitter,
 * or the server's `retryAfter` when it sent one, never past the caller's
 * deadline. The SDKs' own retries are off (`maxRetries: 0`) so that this is
 * the only policy: theirs cap or ignore long `retry-after` waits and know
 * nothing of our deadline.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3; 0 disables). */
  maxRetries?: number;
  /** Backoff before the first retry, ms (default 500). */
  baseMs?: number;
  /** Upper bound of a computed backoff, ms (default 30 000); a server's `retryAfter` is not capped. */
  maxMs?: number;
  /** `full`: uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2]; `none`: d (default `full`). */
  jitter?: 'full' | 'equal' | 'none';
  /** Randomness in [0, 1) (default `Math.random`; pass a seeded one for replayable runs). */
  random?: () => number;
}

/** Whether an error may go away on retry: model errors and Troupe errors say so; cancellation never does. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof CancelledError) return false;
  if (error instanceof TroupeError) return error.retryable;
  return false;
}

/**
 * Milliseconds to wait before retry number `retry` (1 = first) after `error`,
 * or undefined to give up: not retryable, retries spent, or the wait would
 * reach past `remainingMs` (the time left before the caller's deadline).
 * A server's `retryAfter` is honoured in full, plus up to 10% (≤ 1 s) of jitter.
 */
export function retryDelay(
  error: unknown,
  retry: number,
  policy: RetryPolicy = {},
  remainingMs?: number,
): number | undefined {
  if (!isRetryableError(error) || retry > (policy.maxRetries ?? 3)) return undefined;
  const random = policy.random ?? Math.random;
  const jitter = policy.jitter ?? 'full';
  const retryAfter = error instanceof ModelError ? error.retryAfter : undefined;
  let delay: number;
  if (retryAfter !== undefined) {
    delay = jitter === 'none' ? retryAfter : retryAfter + random() * Math.min(retryAfter * 0.1, 1_000);
  } else {
    const d = Math.min(policy.maxMs ?? 30_000, (policy.baseMs ?? 500) * 2 ** (retry - 1));
    delay = jitter === 'none' ? d : jitter === 'equal' ? d / 2 + (random() * d) / 2 : random() * d;
  }
  if (remainingMs !== undefined && delay >= remainingMs) return undefined;
  return delay;
}

/** Resolves after `ms`, or rejects with `reason()` as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal, reason: () => unknown): Promise<void> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise((resolve, reject) => {
    const off = onAbort(signal, () => {
      clearTimeout(timer);
      reject(reason());
    });
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
  });
}
