import type { Observable } from 'rxjs';

/**
 * Iterates an Observable's values as they come (buffered while the consumer
 * is busy); ends when it completes, throws when it errors, unsubscribes on break.
 */
export function toAsyncIterator<T>(source: Observable<T>): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let failWaiting: ((e: unknown) => void) | undefined;
  let done = false;
  let failure: { error: unknown } | undefined;
  const subscription = source.subscribe({
    next(value) {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ value, done: false });
      } else buffer.push(value);
    },
    error(error: unknown) {
      failure = { error };
      failWaiting?.(error);
    },
    complete() {
      done = true;
      waiting?.({ value: undefined, done: true });
    },
  });
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (failure) return Promise.reject(failure.error);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        failWaiting = reject;
      });
    },
    return() {
      subscription.unsubscribe();
      done = true;
      buffer.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
