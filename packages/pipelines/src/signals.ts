import { setMaxListeners } from 'node:events';
import { LazyAbort, onAbort, TimeoutError } from '@troupe/core';

/**
 * A controller whose signal follows `parent` through one fan-out subscription
 * (core's `onAbort`): no listener is added to either signal, because on Node
 * adding one to an AbortSignal costs microseconds. Returns it and the unlink.
 */
export function linkedController(parent: AbortSignal | undefined): [AbortController, () => void] {
  const controller = new AbortController();
  if (!parent) return [controller, noop];
  const off = onAbort(parent, () => controller.abort(parent.reason));
  return [controller, off];
}

/**
 * Lets `signal` take any number of direct listeners (e.g. 10,000 `fetch` calls
 * sharing it) without a MaxListenersExceededWarning. Costly on Node, so only
 * for signals that wide work shares.
 */
export function allowManyListeners(signal: AbortSignal): void {
  if (!unbounded.has(signal)) {
    unbounded.add(signal);
    setMaxListeners(0, signal);
  }
}
const unbounded = new WeakSet<AbortSignal>();

/** Above this many steps sharing a signal, it is allowed many listeners (Node warns past 10). */
export const WIDE = 8;

/**
 * Runs `work` with a (lazy) signal that aborts after `ms` (with `TimeoutError`)
 * or with `parent`; settles as soon as either happens, even if `work` ignores its signal.
 */
export function withTimeout<T>(
  ms: number,
  parent: AbortSignal,
  what: string,
  work: (abort: LazyAbort) => Promise<T>,
): Promise<T> {
  if (parent.aborted) return Promise.reject(parent.reason);
  const abort = new LazyAbort();
  return new Promise<T>((resolve, reject) => {
    // We abort it ourselves, so we reject right there instead of listening to it.
    const stop = (reason: unknown) => {
      clearTimeout(timer);
      off();
      abort.abort(reason);
      reject(reason);
    };
    const timer = setTimeout(
      () => stop(new TimeoutError(`${what} timed out after ${ms} ms`, { data: { timeout: ms } })),
      ms,
    );
    const off = onAbort(parent, () => stop(parent.reason));
    work(abort).then(
      (value) => {
        clearTimeout(timer);
        off();
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        off();
        reject(err);
      },
    );
  });
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(noop);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const off = onAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        off();
        resolve(value);
      },
      (err: unknown) => {
        off();
        reject(err);
      },
    );
  });
}

export function noop(): void {}
