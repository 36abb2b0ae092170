import { JetStreamApiCodes, JetStreamApiError, type StorageType } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { ClosedError, type Store, TransportError } from '@troupe/core';
import { decodeKey, encodeKey, prefixFilter } from './kvKeys.js';
import { readStored, refBytes, toJsonBytes } from './kvValues.js';
import { LargeValues } from './largeValues.js';
import { openWatch, type StoreWatch, type StoreWatchOptions } from './watch.js';

/** Options of {@link NatsKvStore}. */
export interface NatsKvStoreOptions {
  /** An open connection; the store uses it and leaves it open. */
  nc: NatsConnection;
  /** KV bucket name, `[-\w]+`; created when missing. */
  bucket: string;
  /** Object Store bucket for large values (default `<bucket>_large`). */
  objectBucket?: string;
  /** Values whose JSON is larger than this go to the Object Store, bytes (default 512 KiB). */
  largeValueThreshold?: number;
  /** Values kept per key (default 1). */
  history?: number;
  /** Entries expire after this long, ms (default: never). */
  ttl?: number;
  /** File (default) or memory storage. */
  storage?: StorageType;
  /** Stream replicas in a cluster (default 1). */
  replicas?: number;
}

const DEFAULT_THRESHOLD = 512 * 1024;
// Room for the subject and headers that travel with a KV message.
const MESSAGE_OVERHEAD = 8 * 1024;

/**
 * A {@link Store} on JetStream KV, for many processes and machines. Keys map to KV keys
 * reversibly (see `kvKeys.ts`); `setIfAbsent` is a KV `create` (atomic on the server);
 * values larger than the threshold or the server's max payload go to the Object Store by
 * reference, and `get` follows the reference transparently.
 * @example
 * const store = await NatsKvStore.open({ nc, bucket: 'troupe_default_state' });
 * await store.setIfAbsent('runs/r1/t1', { ok: true });
 */
export class NatsKvStore implements Store, AsyncDisposable {
  /** The KV bucket name. */
  readonly bucket: string;
  readonly #kv: Promise<KV>;
  readonly #large: LargeValues;
  readonly #threshold: number;
  readonly #watches = new Set<StoreWatch>();
  #closed = false;

  constructor(options: NatsKvStoreOptions) {
    this.bucket = options.bucket;
    const { history, ttl, storage, replicas } = options;
    this.#kv = new Kvm(options.nc).create(options.bucket, {
      history: history ?? 1,
      ...(ttl === undefined ? {} : { ttl }),
      ...(storage === undefined ? {} : { storage }),
      ...(replicas === undefined ? {} : { replicas }),
    });
    // Surfaced by the first operation (or by open()); never as an unhandled rejection.
    this.#kv.catch(() => {});
    this.#large = new LargeValues({
      nc: options.nc,
      bucket: options.objectBucket ?? `${options.bucket}_large`,
      ...(storage === undefined ? {} : { storage }),
      ...(replicas === undefined ? {} : { replicas }),
    });
    this.#threshold = largeValueThreshold(options.nc, options.largeValueThreshold);
  }

  /** Creates (or binds to) the bucket and resolves once it is usable. */
  static async open(options: NatsKvStoreOptions): Promise<NatsKvStore> {
    const store = new NatsKvStore(options);
    await store.#ready();
    return store;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const kv = await this.#ready();
    // A large value replaced between reading the entry and fetching its object: read again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.#call('get', () => kv.get(encodeKey(key)));
      if (entry === null || entry.operation !== 'PUT') return undefined;
      const stored = readStored(entry.value);
      if (stored.kind === 'inline') return JSON.parse(stored.json) as T;
      const value = await this.#call('get', () => this.#large.get<T>(stored.ref));
      if (value !== undefined) return value;
    }
    throw new TransportError(`store '${this.bucket}': the object behind '${key}' kept disappearing`);
  }

  /** Whether `key` holds a value (a large one is not fetched). */
  async has(key: string): Promise<boolean> {
    const kv = await this.#ready();
    const entry = await this.#call('has', () => kv.get(encodeKey(key)));
    return entry !== null && entry.operation === 'PUT';
  }

  async set(key: string, value: unknown): Promise<void> {
    const kv = await this.#ready();
    const kvKey = encodeKey(key);
    const payload = await this.#payload(kvKey, value);
    // Compare-and-set on the revision read, so whoever replaces a large value deletes its object.
    for (;;) {
      const previous = await this.#call('set', () => kv.get(kvKey));
      try {
        await kv.put(kvKey, payload, { previousSeq: previous?.revision ?? 0 });
      } catch (err) {
        if (isWrongLastSequence(err)) continue;
        throw this.#wrap('set', err);
      }
      await this.#dropObject(previous);
      return;
    }
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    const kv = await this.#ready();
    const kvKey = encodeKey(key);
    const payload = await this.#payload(kvKey, value);
    try {
      await kv.create(kvKey, payload);
      return true;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw this.#wrap('setIfAbsent', err);
      await this.#dropObject(payload);
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    const kv = await this.#ready();
    const kvKey = encodeKey(key);
    for (;;) {
      const previous = await this.#call('delete', () => kv.get(kvKey));
      if (previous === null || previous.operation !== 'PUT') return;
      try {
        await kv.delete(kvKey, { previousSeq: previous.revision });
      } catch (err) {
        if (isWrongLastSequence(err)) continue;
        throw this.#wrap('delete', err);
      }
      await this.#dropObject(previous);
      return;
    }
  }

  async keys(prefix = ''): Promise<string[]> {
    const kv = await this.#ready();
    const found: string[] = [];
    await this.#call('keys', async () => {
      for await (const kvKey of await kv.keys(prefixFilter(prefix))) {
        const key = decodeKey(kvKey);
        if (key.startsWith(prefix)) found.push(key);
      }
    });
    return found.sort();
  }

  /**
   * Changes under `prefix` from now on (or, with `existing`, the current values first). Resolves
   * once the watch is in place on the server, so nothing written afterwards is missed.
   */
  async watch(options: StoreWatchOptions = {}): Promise<StoreWatch> {
    const kv = await this.#ready();
    const watch = await this.#call('watch', () =>
      openWatch(
        kv,
        options,
        (stored) => this.#resolve(stored),
        () => this.#watches.delete(watch),
      ),
    );
    this.#watches.add(watch);
    return watch;
  }

  /** Stops this store's watches; the connection stays open (it is the caller's). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const watch of this.#watches) watch.stop();
    this.#watches.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #ready(): Promise<KV> {
    if (this.#closed) throw new ClosedError(`store '${this.bucket}' is closed`);
    try {
      return await this.#kv;
    } catch (err) {
      throw this.#wrap('open', err);
    }
  }

  async #payload(kvKey: string, value: unknown): Promise<Uint8Array> {
    const json = toJsonBytes(value);
    if (json.length <= this.#threshold) return json;
    return refBytes(await this.#call('set', () => this.#large.put(kvKey, json)));
  }

  async #resolve(bytes: Uint8Array): Promise<unknown> {
    const stored = readStored(bytes);
    return stored.kind === 'inline' ? JSON.parse(stored.json) : await this.#large.get(stored.ref);
  }

  /** Deletes the object an entry (or payload) pointed at, if any; a leftover is only garbage. */
  async #dropObject(previous: KvEntry | Uint8Array | null): Promise<void> {
    if (previous === null) return;
    const bytes = previous instanceof Uint8Array ? previous : previous.value;
    if (!(previous instanceof Uint8Array) && previous.operation !== 'PUT') return;
    const stored = readStored(bytes);
    if (stored.kind === 'ref') await this.#large.delete(stored.ref).catch(() => {});
  }

  async #call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#wrap(op, err);
    }
  }

  #wrap(op: string, err: unknown): Error {
    if (err instanceof ClosedError || err instanceof TransportError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new TransportError(`store '${this.bucket}' ${op} failed: ${message}`, { cause: err });
  }
}

/**
 * Bytes of JSON above which a value goes to the Object Store: the configured threshold (default
 * 512 KiB), capped by the server's max payload less room for the subject and headers.
 */
export function largeValueThreshold(nc: NatsConnection, configured?: number): number {
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  return Math.min(configured ?? DEFAULT_THRESHOLD, maxPayload - MESSAGE_OVERHEAD);
}

/** Whether `err` is JetStream refusing a write whose expected last (subject) sequence did not match. */
export function isWrongLastSequence(err: unknown): boolean {
  if (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  ) {
    return true;
  }
  return err instanceof Error && /wrong last sequence/i.test(err.message);
}
