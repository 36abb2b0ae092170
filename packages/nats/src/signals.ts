import { onAbort, type RequestOptions } from '@troupe/core';

/**
 * What the runtime's own request options offer besides `signal` (core's
 * `AskControl`): abort state and listeners without creating an AbortSignal,
 * which costs more than the rest of an ask's bookkeeping together.
 */
interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  onAbort(listener: (reason: unknown) => void): void;
}

function isAbortSource(options: RequestOptions): options is RequestOptions & AbortSource {
  const o = options as Partial<AbortSource>;
  return typeof o.onAbort === 'function' && typeof o.aborted === 'boolean';
}

/** Why the request was aborted, or `undefined` if it was not (no AbortSignal is created for the runtime's options). */
export function abortReason(options: RequestOptions): { reason: unknown } | undefined {
  if (isAbortSource(options)) return options.aborted ? { reason: options.reason } : undefined;
  return options.signal.aborted ? { reason: options.signal.reason } : undefined;
}

/** Calls `listener` once when the request is aborted; returns the unsubscribe. Call only when not yet aborted. */
export function watchAbort(options: RequestOptions, listener: (reason: unknown) => void): () => void {
  if (isAbortSource(options)) {
    // One ask, one listener: it lives exactly as long as the ask's options.
    options.onAbort(listener);
    return noop;
  }
  const signal = options.signal;
  return onAbort(signal, () => listener(signal.reason));
}

function noop(): void {}
