import { type Logger, TransportError } from '@troupe/core';
import type { KV, NatsConnection } from 'nats';
import { ownerKey, ownersBucketName } from './subjects.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Who owns a keyed instance, as read from the owners bucket. */
export type OwnerLookup = { mine: true } | { mine: false; owner: string; revision: number };

/** Options of {@link Ownership}. */
export interface OwnershipOptions {
  connection: NatsConnection;
  namespace: string;
  workerId: string;
  logger: Logger;
}

/**
 * Which worker owns each keyed instance (`{ type, key }`), kept in the
 * JetStream KV bucket `troupe_<ns>_owners` as `<type>.<key>` → worker id.
 * An unowned key is claimed with an atomic `create`; a key whose owner is
 * gone is taken over with a revision-checked `update`, so two workers can
 * never both win. Lookups are cached; the cache is dropped on reconnect,
 * since a takeover can only have happened while this worker was unreachable.
 */
export class Ownership {
  readonly #options: OwnershipOptions;
  /** Keys this worker owns → the revision it wrote. */
  readonly #owned = new Map<string, number>();
  /** Keys other workers own, as last read. */
  readonly #others = new Map<string, { owner: string; revision: number }>();
  #bucket: Promise<KV | undefined> | undefined;
  #warnedDegraded = false;

  constructor(options: OwnershipOptions) {
    this.#options = options;
  }

  /** Whether this worker owns the instance, as far as the cache knows (no I/O). */
  isMine(type: string, key: string): boolean {
    return this.#owned.has(ownerKey(type, key));
  }

  /** The cached owner of an instance owned by another worker, if known. */
  cachedOther(type: string, key: string): { owner: string; revision: number } | undefined {
    return this.#others.get(ownerKey(type, key));
  }

  /** Reads the owner of an instance, claiming it for this worker when nobody owns it. */
  async lookup(type: string, key: string): Promise<OwnerLookup> {
    const k = ownerKey(type, key);
    const me = this.#options.workerId;
    const kv = await this.#kv();
    if (!kv) {
      this.#owned.set(k, 0);
      return { mine: true };
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await kv.get(k);
      if (entry?.operation !== 'PUT') {
        try {
          this.#owned.set(k, await kv.create(k, encoder.encode(me)));
          this.#others.delete(k);
          return { mine: true };
        } catch {
          continue; // another worker claimed it first: read who
        }
      }
      const owner = decoder.decode(entry.value);
      if (owner === me) {
        this.#owned.set(k, entry.revision);
        return { mine: true };
      }
      this.#owned.delete(k);
      this.#others.set(k, { owner, revision: entry.revision });
      return { mine: false, owner, revision: entry.revision };
    }
    throw new TransportError(`could not settle the owner of ${type}/${key}`);
  }

  /** Claims an instance whose owner stopped answering; false when someone else changed it first. */
  async takeOver(type: string, key: string, revision: number): Promise<boolean> {
    const k = ownerKey(type, key);
    this.#others.delete(k);
    const kv = await this.#kv();
    if (!kv) return true;
    try {
      this.#owned.set(k, await kv.update(k, encoder.encode(this.#options.workerId), revision));
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets what is cached (after a reconnect). */
  forget(): void {
    this.#owned.clear();
    this.#others.clear();
  }

  /** Gives up the keys this worker owns (of one type, or all), so others can claim them at once. */
  async release(type?: string): Promise<void> {
    const prefix = type === undefined ? undefined : `${type}.`;
    const mine = [...this.#owned].filter(([k]) => prefix === undefined || isKeyOf(k, prefix));
    for (const [k] of mine) this.#owned.delete(k);
    if (prefix !== undefined)
      for (const k of this.#others.keys()) if (isKeyOf(k, prefix)) this.#others.delete(k);
    const kv = this.#bucket ? await this.#bucket.catch(() => undefined) : undefined;
    if (!kv || mine.length === 0) return;
    await Promise.allSettled(
      mine.map(([k, revision]) => kv.delete(k, revision > 0 ? { previousSeq: revision } : {})),
    );
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
      return await connection.jetstream().views.kv(ownersBucketName(namespace), { history: 1 });
    } catch (err) {
      this.#bucket = undefined; // try again with the next message
      throw new TransportError(`could not open the owners bucket: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Whether owners-bucket key `k` belongs to the type whose prefix is `prefix` (`<type>.`) exactly. */
function isKeyOf(k: string, prefix: string): boolean {
  return k.startsWith(prefix) && !k.slice(prefix.length).includes('.');
}
