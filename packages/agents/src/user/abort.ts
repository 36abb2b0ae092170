/** Runs `fn` once when `signal` aborts (at once if it already has); returns how to stop listening. */
export function onAbortOf(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
