import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Logger, TransportError } from '@troupe/core';
import { ownerKey, ownersBucketName } from './subjects.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Who owns a keyed instance, as read from the owners bucket. */
export type OwnerLookup = { mine: true } | { mine: false; owner: string; revision: number };

/** Whether this worker still holds a key at a given revision: known yes or no, or not known yet. */
export type Holding = 'held' | 'lost' | 'unverified';

/** Options of {@link Ownership}. */
export interface OwnershipOptions {
  connection: NatsConnection;
  namespace: string;
  workerId: string;
  logger: Logger;
  /** Called (synchronously, before anything else for the key is handled) when this worker lost a key it held. */
  onLost(type: string, key: string): void;
  /**
   * Called (synchronously, before the first message under the claim is handled) when this worker
   * claims or takes over a key: whatever it still holds in memory for the key predates the claim.
   */
  onClaimed?(type: string, key: string): void;
}

/**
 * Which worker owns each keyed instance (`{ type, key }`), kept in the
 * JetStream KV bucket `troupe_<ns>_owners` as `<type>.<key>` → worker id.
 * An unowned key is claimed with an atomic `create`; a key whose owner is
 * gone is taken over with a revision-checked `update`, so two workers can
 * never both win. The KV revision a worker wrote is its fencing token: after
 * a disconnect every key it held is unverified until the bucket shows that
 * revision still there; a key found changed is lost (`onLost`), so the
 * instance built on it is dropped instead of resuming with stale state.
 */
export class Ownership {
  readonly #options: OwnershipOptions;
  /** Keys this worker holds → the revision it wrote, and whether that was verified since the last disconnect. */
  readonly #held = new Map<string, Held>();
  /** Keys other workers own, as last read. */
  readonly #others = new Map<string, { owner: string; revision: number }>();
  /** Verifications under way since the last disconnect, so concurrent callers share one read. */
  #verifying = new Map<string, Promise<void>>();
  /** Counts disconnects: a verification started before the latest one is stale. */
  #generation = 0;
  #bucket: Promise<KV | undefined> | undefined;
  #warnedDegraded = false;

  constructor(options: OwnershipOptions) {
    this.#options = options;
  }

  /** Whether this worker owns the instance, as far as it knows for sure (no I/O). */
  isMine(type: string, key: string): boolean {
    return this.#held.get(ownerKey(type, key))?.verified === true;
  }

  /** The revision this worker holds a key at, if it holds it (verified or not). */
  revisionOf(type: string, key: string): number | undefined {
    return this.#held.get(ownerKey(type, key))?.revision;
  }

  /** Whether this worker still holds a key at `revision` (the fence for a result computed under it). */
  holding(type: string, key: string, revision: number): Holding {
    const held = this.#held.get(ownerKey(type, key));
    if (held?.revision !== revision) return 'lost';
    return held.verified ? 'held' : 'unverified';
  }

  /** The cached owner of an instance owned by another worker, if known. */
  cachedOther(type: string, key: string): { owner: string; revision: number } | undefined {
    return this.#others.get(ownerKey(type, key));
  }

  /** Reads the owner of an instance, claiming it for this worker when nobody owns it. */
  async lookup(type: string, key: string): Promise<OwnerLookup> {
    const k = ownerKey(type, key);
    const kv = await this.#kv();
    if (!kv) {
      this.#hold(type, key, this.revisionOf(type, key) ?? 0);
      return { mine: true };
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await kv.get(k);
      if (this.#reconcile(type, key, entry)) return { mine: true };
      if (entry?.operation !== 'PUT') {
        try {
          this.#hold(type, key, await kv.create(k, encoder.encode(this.#options.workerId)));
          this.#options.onClaimed?.(type, key);
          return { mine: true };
        } catch {
          continue; // another worker claimed it first: read who
        }
      }
      const owner = decoder.decode(entry.value);
      this.#others.set(k, { owner, revision: entry.revision });
      return { mine: false, owner, revision: entry.revision };
    }
    throw new TransportError(`could not settle the owner of ${type}/${key}`);
  }

  /** Claims an instance whose owner stopped answering; false when someone else changed it first. */
  async takeOver(type: string, key: string, revision: number): Promise<boolean> {
    this.#others.delete(ownerKey(type, key));
    const kv = await this.#kv();
    if (!kv) return true;
    try {
      this.#hold(
        type,
        key,
        await kv.update(ownerKey(type, key), encoder.encode(this.#options.workerId), revision),
      );
      this.#options.onClaimed?.(type, key);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * After a disconnect: another worker may have taken keys over meanwhile, so every held key is
   * unverified (and cached owners forgotten) until {@link Ownership.verify} reads the bucket.
   */
  suspect(): void {
    for (const held of this.#held.values()) held.verified = false;
    this.#others.clear();
    this.#generation++;
    this.#verifying = new Map();
  }

  /**
   * Reads the bucket for one unverified key, or every one: held again, or lost (`onLost`).
   * Retries while the bucket cannot be read, until it can or the connection drops again; never rejects.
   */
  async verify(only?: { type: string; key: string }): Promise<void> {
    const targets = only ? [this.#held.get(ownerKey(only.type, only.key))] : [...this.#held.values()];
    await Promise.all(
      targets.map((held) => {
        if (!held || held.verified) return undefined;
        const k = ownerKey(held.type, held.key);
        let running = this.#verifying.get(k);
        if (!running) {
          running = this.#readBack(held.type, held.key).finally(() => this.#verifying.delete(k));
          this.#verifying.set(k, running);
        }
        return running;
      }),
    );
  }

  /**
   * Gives up the keys this worker owns (of one type, or all), so others can claim them at once.
   * Resolves once this and every release still under way (an `unserve` in the background) are done.
   */
  async release(type?: string): Promise<void> {
    const mine = this.#releaseNow(type);
    this.#releasing.add(mine);
    try {
      await mine;
    } finally {
      this.#releasing.delete(mine);
    }
    await Promise.allSettled([...this.#releasing]);
  }

  async #releaseNow(type?: string): Promise<void> {
    const prefix = type === undefined ? undefined : `${type}.`;
    const matches = (k: string) => prefix === undefined || isKeyOf(k, prefix);
    const mine = [...this.#held].filter(([k]) => matches(k));
    for (const [k] of mine) this.#held.delete(k);
    for (const k of this.#others.keys()) if (matches(k)) this.#others.delete(k);
    const kv = this.#bucket ? await this.#bucket.catch(() => undefined) : undefined;
    if (!kv || mine.length === 0) return;
    await Promise.allSettled(
      mine.map(async ([k, { revision }]) => {
        await kv.delete(k, revision > 0 ? { previousSeq: revision } : {});
        await this.#dropMarker(kv, k);
      }),
    );
  }

  /**
   * Purges the delete marker a release left (and anything older), so the bucket keeps nothing for
   * keys nobody owns. Only messages up to the marker go: a newer claim by another worker stays.
   */
  async #dropMarker(kv: KV, k: string): Promise<void> {
    const entry = await kv.get(k);
    if (!entry || entry.operation === 'PUT') return;
    const bucket = ownersBucketName(this.#options.namespace);
    const jsm = await jetstreamManager(this.#options.connection);
    await jsm.streams.purge(`KV_${bucket}`, { filter: `$KV.${bucket}.${k}`, seq: entry.revision + 1 });
  }

  readonly #releasing = new Set<Promise<void>>();

  #hold(type: string, key: string, revision: number): void {
    const k = ownerKey(type, key);
    this.#held.set(k, { type, key, revision, verified: true });
    this.#others.delete(k);
  }

  async #readBack(type: string, key: string): Promise<void> {
    const generation = this.#generation;
    for (let attempt = 0; generation === this.#generation; attempt++) {
      const held = this.#held.get(ownerKey(type, key));
      if (!held || held.verified) return;
      try {
        const kv = await this.#kv();
        if (!kv) this.#hold(type, key, held.revision);
        else if (generation === this.#generation)
          this.#reconcile(type, key, await kv.get(ownerKey(type, key)));
        return;
      } catch {
        // Unreachable (still reconnecting, or JetStream recovering): try again shortly.
        await sleep(Math.min(100 * 2 ** attempt, 2_000));
      }
    }
  }

  /**
   * Reconciles what this worker held with what the bucket says: true when the key is (still) ours
   * at the revision it wrote. A key held before but changed since is lost: `onLost` runs before
   * this returns, so nothing else for the key is handled on the stale instance.
   */
  #reconcile(type: string, key: string, entry: KvEntry | null): boolean {
    const k = ownerKey(type, key);
    const held = this.#held.get(k);
    const ours =
      entry?.operation === 'PUT' &&
      decoder.decode(entry.value) === this.#options.workerId &&
      (held === undefined || held.revision === entry.revision);
    if (ours) {
      this.#hold(type, key, entry.revision);
      return true;
    }
    if (held) {
      this.#held.delete(k);
      this.#options.logger.info(`lost ${type}/${key} to another worker while unreachable; dropping it`);
      this.#options.onLost(type, key);
    }
    return false;
  }

  #kv(): Promise<KV | undefined> {
    this.#bucket ??= this.#open();
    return this.#bucket;
  }

  async #open(): Promise<KV | undefined> {
    const { connection, namespace, logger } = this.#options;
    if (connection.info?.jetstream !== true) {
      // A server without JetStream: one worker per type still works; several cannot agree on owners.
      if (!this.#warnedDegraded) {
        this.#warnedDegraded = true;
        logger.warn('JetStream unavailable: keyed instances are served by whichever worker receives them');
      }
      return undefined;
    }
    try {
      return await new Kvm(connection).create(ownersBucketName(namespace), { history: 1 });
    } catch (err) {
      this.#bucket = undefined; // try again with the next message
      throw new TransportError(`could not open the owners bucket: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** A key this worker holds. */
interface Held {
  readonly type: string;
  readonly key: string;
  /** The owners-bucket revision it wrote: its fencing token. */
  readonly revision: number;
  /** Confirmed against the bucket since the last disconnect. */
  verified: boolean;
}

/** Whether owners-bucket key `k` belongs to the type whose prefix is `prefix` (`<type>.`) exactly. */
function isKeyOf(k: string, prefix: string): boolean {
  return k.startsWith(prefix) && !k.slice(prefix.length).includes('.');
}
