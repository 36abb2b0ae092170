import { asCancellation, onAbort, TimeoutError } from '@troupe/core';
import type { WaitOptions } from '../types.js';

/**
 * `promise`, or a rejection when `options.timeout` ms pass (`TimeoutError`) or `options.signal`
 * aborts (its reason as a Troupe error) first. The underlying work is not touched.
 */
export function bounded<T>(promise: Promise<T>, options: WaitOptions | undefined, what: string): Promise<T> {
  const timeout = options?.timeout;
  const signal = options?.signal;
  if (timeout === undefined && signal === undefined) return promise;
  if (signal?.aborted) return Promise.reject(asCancellation(signal.reason));
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let off: (() => void) | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      off?.();
    };
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`${what} timed out after ${timeout} ms`, { data: { timeout } }));
      }, timeout);
    }
    if (signal) {
      off = onAbort(signal, () => {
        done();
        reject(asCancellation(signal.reason));
      });
    }
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}

/** Resolves after `ms`; keeps the process alive meanwhile (cleanup that is waited on must finish). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

/**
 * Calls `check` every `intervalMs` until it returns true (→ true) or `timeoutMs` passed (→ false).
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  options: { intervalMs: number; timeoutMs: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(options.intervalMs);
  }
}

/** True when `promise` settles within `ms`, false otherwise (the timer is cleared either way). */
export function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
