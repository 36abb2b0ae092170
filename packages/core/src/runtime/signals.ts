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
