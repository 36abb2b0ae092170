import type { EventPage, EventQuery, RunPage, RunQuery, RunRecord, RunRepository } from '@troupe/core';
import { ClosedError, type ProgressEvent, type Store, type TaskProgress } from '@troupe/core';
import type { Kysely } from 'kysely';
import { BlobSpill } from './blobSpill.js';
import { createKysely, ping } from './connect.js';
import type { SqlContext } from './context.js';
import { parseDatabaseUrl, type SqlDialectName } from './databaseUrl.js';
import { appendEvents, getSnapshot, listEvents, saveSnapshot } from './eventsTable.js';
import { FileBlobStore } from './FileBlobStore.js';
import { kvDelete, kvGet, kvKeys, kvSet, kvSetIfAbsent } from './kvTable.js';
import { migrateToLatest } from './migrations.js';
import { createRun, getRun, listRuns, updateRun } from './runsTable.js';

/** Options of {@link SqlStore.open} and {@link createSqlStore}. */
export interface SqlStoreOptions {
  /**
   * `postgres://user:password@host:5432/db` (or `postgresql://`), `mysql://user:password@host:3306/db`
   * (or `mariadb://`); percent-encode special characters. PostgreSQL takes `?sslmode=require`, MySQL `?ssl=true`.
   */
  url: string;
  /**
   * Where values, events and snapshots larger than `blobThresholdBytes` go, by reference: a directory
   * (one file per value, see {@link FileBlobStore}) or any `Store` (for many machines, `NatsKvStore`
   * from `@troupe/nats`, which keeps large values in the NATS object store). Without it, such a value
   * is refused with `PayloadTooLargeError`. A directory is closed with the SqlStore; a Store is not.
   */
  blobs?: string | Store;
  /** JSON larger than this many bytes (UTF-8) goes to `blobs` instead of a row (default 256 KiB). */
  blobThresholdBytes?: number;
  /** Most connections open at once (default 10). */
  poolSize?: number;
  /** Give up connecting after this many ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Bring the schema to the latest version on open (default true). */
  migrate?: boolean;
}

/** The default of {@link SqlStoreOptions.blobThresholdBytes}: 256 KiB. */
export const DEFAULT_BLOB_THRESHOLD_BYTES = 256 * 1024;

/**
 * Troupe's key/value {@link Store} and the server's run repository (runs, event logs, snapshots) on
 * PostgreSQL or MySQL/MariaDB, through Kysely over `pg` or `mysql2`. Several processes may share one
 * database: `setIfAbsent` is atomic and `appendEvents` serializes on the run's row lock. Open it with
 * {@link SqlStore.open} or {@link createSqlStore}, which check the connection and migrate the schema.
 * @example
 * await using store = await createSqlStore('postgres://postgres@127.0.0.1:5432/troupe');
 * await store.set('runs/r1/t1', { ok: true });
 */
export class SqlStore implements Store, RunRepository, AsyncDisposable {
  /** Which SQL dialect the URL picked. */
  readonly dialect: SqlDialectName;
  readonly #ctx: SqlContext;
  readonly #ownedBlobs: Store | undefined;
  #closing: Promise<void> | undefined;

  private constructor(ctx: SqlContext, ownedBlobs: Store | undefined) {
    this.dialect = ctx.dialect;
    this.#ctx = ctx;
    this.#ownedBlobs = ownedBlobs;
  }

  /**
   * Connects, checks that the server answers and migrates the schema (`troupe_migrations`).
   * @throws SqlUrlError when the URL is malformed or its scheme unknown.
   * @throws SqlConnectionError when the server does not answer or refuses the login (host, port and
   * dialect named; the password never is).
   * @throws SqlMigrationError when the schema cannot be brought up to date.
   */
  static async open(options: SqlStoreOptions): Promise<SqlStore> {
    const url = parseDatabaseUrl(options.url);
    const threshold = options.blobThresholdBytes ?? DEFAULT_BLOB_THRESHOLD_BYTES;
    if (!Number.isFinite(threshold) || threshold < 0) {
      throw new RangeError(`blobThresholdBytes must be a non-negative number, got ${String(threshold)}`);
    }
    const db = createKysely(url, {
      poolSize: options.poolSize ?? 10,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    });
    try {
      await ping(db, url);
      if (options.migrate ?? true) await migrateToLatest(db as Kysely<unknown>, url.dialect);
    } catch (err) {
      await db.destroy().catch(() => {});
      throw err;
    }
    const blobs =
      typeof options.blobs === 'string' ? new FileBlobStore({ dir: options.blobs }) : options.blobs;
    const ctx = { db, dialect: url.dialect, spill: new BlobSpill(blobs, threshold) };
    return new SqlStore(ctx, typeof options.blobs === 'string' ? blobs : undefined);
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    return kvGet<T>(this.#open(), key);
  }

  async set(key: string, value: unknown): Promise<void> {
    await kvSet(this.#open(), key, value);
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    return kvSetIfAbsent(this.#open(), key, value);
  }

  async delete(key: string): Promise<void> {
    await kvDelete(this.#open(), key);
  }

  async keys(prefix = ''): Promise<string[]> {
    return kvKeys(this.#open(), prefix);
  }

  async createRun(run: RunRecord): Promise<void> {
    await createRun(this.#open(), run);
  }

  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    await updateRun(this.#open(), id, patch);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return getRun(this.#open(), id);
  }

  async listRuns(query: RunQuery = {}): Promise<RunPage> {
    return listRuns(this.#open(), query);
  }

  async appendEvents(id: string, events: readonly ProgressEvent[]): Promise<number> {
    return appendEvents(this.#open(), id, events);
  }

  async events(id: string, query: EventQuery = {}): Promise<EventPage> {
    return listEvents(this.#open(), id, query);
  }

  async saveSnapshot(id: string, snapshot: TaskProgress): Promise<void> {
    await saveSnapshot(this.#open(), id, snapshot);
  }

  async getSnapshot(id: string): Promise<TaskProgress | undefined> {
    return getSnapshot(this.#open(), id);
  }

  /** Waits for queries in flight, then closes the pool (and a blob directory it opened). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#ctx.db.destroy();
      await this.#ownedBlobs?.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #open(): SqlContext {
    if (this.#closing) throw new ClosedError('SQL store is closed');
    return this.#ctx;
  }
}

/**
 * Opens a {@link SqlStore} on `url`; the scheme picks the dialect (`postgres://`, `postgresql://`,
 * `mysql://`, `mariadb://`). Same errors as {@link SqlStore.open}.
 */
export function createSqlStore(url: string, options: Omit<SqlStoreOptions, 'url'> = {}): Promise<SqlStore> {
  return SqlStore.open({ ...options, url });
}
