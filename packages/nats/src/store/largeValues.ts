import type { StorageType } from '@nats-io/jetstream';
import { type ObjectStore, Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { newId } from '@troupe/core';
import { type ObjectRef, parseJson } from './kvValues.js';

/** Options of {@link LargeValues}. */
export interface LargeValuesOptions {
  /** The connection the Object Store is opened on. */
  nc: NatsConnection;
  /** Object Store bucket name. */
  bucket: string;
  storage?: StorageType;
  replicas?: number;
}

/**
 * The Object Store side of a {@link NatsKvStore}: values too large for one KV message are
 * written here under a fresh name and the KV entry points at them. Opened on first use.
 */
export class LargeValues {
  readonly #options: LargeValuesOptions;
  #os: Promise<ObjectStore> | undefined;

  constructor(options: LargeValuesOptions) {
    this.#options = options;
  }

  /** Writes `json` as a new object named after `kvKey` and returns the reference. */
  async put(kvKey: string, json: Uint8Array): Promise<ObjectRef> {
    const os = await this.#store();
    // Object names are free-form; the id keeps an overwrite from clobbering an object a reader is fetching.
    const name = `${kvKey}~${newId()}`;
    await os.putBlob({ name }, json);
    return { name, size: json.length };
  }

  /** The value an object holds, or `undefined` when it is gone (replaced or deleted meanwhile). */
  async get<T>(ref: ObjectRef): Promise<T | undefined> {
    const os = await this.#store();
    const bytes = await os.getBlob(ref.name);
    return bytes === null ? undefined : parseJson<T>(bytes);
  }

  /** Removes an object no entry points at any more; a missing one is not an error. */
  async delete(ref: ObjectRef): Promise<void> {
    const os = await this.#store();
    try {
      await os.delete(ref.name);
    } catch (err) {
      if (!/not found/i.test(err instanceof Error ? err.message : '')) throw err;
    }
  }

  #store(): Promise<ObjectStore> {
    const { nc, bucket, storage, replicas } = this.#options;
    this.#os ??= new Objm(nc).create(bucket, {
      ...(storage === undefined ? {} : { storage }),
      ...(replicas === undefined ? {} : { replicas }),
    });
    // A failed open (JetStream briefly away) must not be cached forever.
    this.#os.catch(() => {
      this.#os = undefined;
    });
    return this.#os;
  }
}
