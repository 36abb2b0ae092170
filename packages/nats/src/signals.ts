import { onAbort, type RequestOptions } from '@troupe/core';

/** Why the request was aborted, or `undefined` if it was not (read without creating a signal when the options allow it). */
export function abortReason(options: RequestOptions): { reason: unknown } | undefined {
  if (typeof options.aborted === 'boolean') return options.aborted ? { reason: options.reason } : undefined;
  return options.signal.aborted ? { reason: options.signal.reason } : undefined;
}

/** Calls `listener` once when the request is aborted; returns the unsubscribe. Call only when not yet aborted. */
export function watchAbort(options: RequestOptions, listener: (reason: unknown) => void): () => void {
  // The runtime's own options subscribe without creating an AbortSignal, which costs more than the rest of an ask.
  if (options.onAbort) return options.onAbort(listener);
  const signal = options.signal;
  return onAbort(signal, () => listener(signal.reason));
}
