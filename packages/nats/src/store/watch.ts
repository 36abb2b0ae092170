import { type KV, type KvEntry, KvWatchInclude } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { onAbort } from '@troupe/core';
import { decodeKey, prefixFilter } from './kvKeys.js';

/** Options of `NatsKvStore.watch`. */
export interface StoreWatchOptions {
  /** Only keys starting with this (default: every key). */
  prefix?: string;
  /** Deliver the current value of every matching key first (default false: changes only). */
  existing?: boolean;
  /** Stops the watch. */
  signal?: AbortSignal;
}

/** One change seen by a watch. */
export interface StoreChange {
  /** The store key. */
  readonly key: string;
  /** `put` for a new value, `delete` when the key was removed. */
  readonly operation: 'put' | 'delete';
  /** KV revision (stream sequence) of the change. */
  readonly revision: number;
  /** The value written (fetched from the Object Store when large); `undefined` for a delete. */
  value<T = unknown>(): Promise<T | undefined>;
}

/** A running watch: iterate it for changes; `stop()` ends the iteration. */
export interface StoreWatch extends AsyncIterable<StoreChange> {
  /** Ends the watch (idempotent). */
  stop(): void;
}

/** Starts a KV watch that yields decoded {@link StoreChange}s. */
export async function openWatch(
  kv: KV,
  options: StoreWatchOptions,
  resolve: (bytes: Uint8Array) => Promise<unknown>,
  onStop: () => void,
): Promise<StoreWatch> {
  const prefix = options.prefix ?? '';
  const iter: QueuedIterator<KvEntry> = await kv.watch({
    key: prefixFilter(prefix),
    include: options.existing === true ? KvWatchInclude.LastValue : KvWatchInclude.UpdatesOnly,
  });
  let off: (() => void) | undefined;
  const stop = (): void => {
    off?.();
    iter.stop();
    onStop();
  };
  if (options.signal) off = onAbort(options.signal, stop);
  async function* changes(): AsyncGenerator<StoreChange> {
    try {
      for await (const entry of iter) {
        const key = decodeKey(entry.key);
        if (!key.startsWith(prefix)) continue;
        const put = entry.operation === 'PUT';
        const bytes = entry.value;
        yield {
          key,
          operation: put ? 'put' : 'delete',
          revision: entry.revision,
          value: <T>() => (put ? (resolve(bytes) as Promise<T>) : Promise.resolve(undefined)),
        };
      }
    } finally {
      stop();
    }
  }
  const generator = changes();
  return { stop, [Symbol.asyncIterator]: () => generator };
}
