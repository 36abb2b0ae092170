import { ValidationError } from '../errors/errors.js';

/** The longest delay `setTimeout` keeps (2³¹−1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `value` as a timeout in ms: a number above 0, `Infinity` meaning none. Anything else (0, a
 * negative number, `NaN`, a string) is refused with `ValidationError` naming `path`, rather than
 * turning into a timeout that fires at once.
 */
export function checkTimeout(value: unknown, path: string): number {
  if (isTimeout(value)) return value;
  throw timeoutError(value, path);
}

/** Whether `value` is a valid timeout: a number above 0 (`NaN` is not), `Infinity` included. */
export function isTimeout(value: unknown): value is number {
  return typeof value === 'number' && value > 0;
}

/** The `ValidationError` for a bad timeout `value` at `path`. */
export function timeoutError(value: unknown, path: string): ValidationError {
  return new ValidationError(`${path} must be a number of ms above 0 (or Infinity), got ${describe(value)}`, {
    issues: [{ path, message: 'expected a number of ms above 0, or Infinity' }],
  });
}

/**
 * Calls `fn(arg)` after `ms`, however long: delays past {@link MAX_TIMER_MS} are chained, and
 * `Infinity` never fires. Returns the cancel.
 */
export function longTimeout<A>(fn: (arg: A) => void, ms: number, arg: A): () => void {
  if (ms === Number.POSITIVE_INFINITY) return noop;
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    timer =
      left > MAX_TIMER_MS
        ? setTimeout(arm, MAX_TIMER_MS, left - MAX_TIMER_MS)
        : setTimeout(fn, Math.max(0, left), arg);
  };
  arm(ms);
  return () => clearTimeout(timer);
}

function noop(): void {}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value.slice(0, 40)}' (a string)` : String(value);
}
