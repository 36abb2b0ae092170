import { CancelledError, onAbort, TroupeError } from '@troupe/core';

/** Exponential backoff with jitter between attempts. */
export interface BackoffOptions {
  /** Delay before the first retry, ms (default 100). */
  baseMs?: number;
  /** Upper bound of any delay, ms (default 10 000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** `full`: uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2]; `none`: d (default `full`). */
  jitter?: 'full' | 'equal' | 'none';
  /** Source of randomness in [0, 1) (default `Math.random`; pass a seeded one for replayable runs). */
  random?: () => number;
}

/**
 * Whether retrying may help: Troupe errors say so with `retryable`, other
 * errors with `retryable` or `isRetryable` (model clients); cancellation never is.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CancelledError) return false;
  if (error instanceof TroupeError) return error.retryable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retryable?: unknown; isRetryable?: unknown };
  return e.retryable === true || e.isRetryable === true;
}

/** The delay before retry number `retry` (1 = the first retry), with jitter. */
export function backoffDelay(retry: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 10_000;
  const d = Math.min(max, base * (options.factor ?? 2) ** (retry - 1));
  const r = (options.random ?? Math.random)();
  const jitter = options.jitter ?? 'full';
  if (jitter === 'none') return d;
  if (jitter === 'equal') return d / 2 + (r * d) / 2;
  return r * d;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const off = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          reject(signal.reason);
        })
      : undefined;
    const timer = setTimeout(() => {
      off?.();
      resolve();
    }, ms);
  });
}
