import { ValidationError } from '../errors/errors.js';

/**
 * One listener per signal, fanned out to any number of subscribers: linking
 * 10,000 asks to one shared signal adds a single listener to it (no
 * MaxListenersExceededWarning) and unsubscribing is O(1).
 */
const fanout = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` once when `signal` aborts; returns the unsubscribe. Fires at once if already aborted. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return noop;
  }
  let set = fanout.get(signal);
  if (!set) {
    const subscribers = new Set<() => void>();
    set = subscribers;
    fanout.set(signal, subscribers);
    signal.addEventListener(
      'abort',
      () => {
        fanout.delete(signal);
        for (const cb of subscribers) cb();
      },
      { once: true },
    );
  }
  set.add(callback);
  const subscribers = set;
  return () => {
    subscribers.delete(callback);
  };
}

function noop(): void {}

/** Whether `value` is an `AbortSignal`, or shaped like one (a polyfill's): `aborted` and `addEventListener`. */
export function isAbortSignal(value: unknown): value is AbortSignal {
  const s = value as Partial<AbortSignal> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function'
  );
}

/** The `ValidationError` for a `signal` option at `path` that is not an `AbortSignal`. */
export function signalError(path: string): ValidationError {
  return new ValidationError(`${path} must be an AbortSignal (pass controller.signal, not the controller)`, {
    issues: [{ path, message: 'not an AbortSignal' }],
  });
}

/**
 * `value` as an `AbortSignal` (`undefined`: none).
 * @throws ValidationError naming `path` for anything else (`null`, an `AbortController`, …).
 */
export function checkSignal(value: unknown, path: string): AbortSignal | undefined {
  if (value === undefined || isAbortSignal(value)) return value;
  throw signalError(path);
}
