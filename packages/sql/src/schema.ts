import type { ColumnType } from 'kysely';

// BIGINT comes back as a string from `pg` and as a number from `mysql2`: readers go through Number().
type BigInt64 = ColumnType<string | number, number, number>;

/** The tables `@troupe/sql` owns; every name starts with `troupe_` so they can share a database. */
export const TABLES = {
  kv: 'troupe_kv',
  runs: 'troupe_runs',
  events: 'troupe_run_events',
  snapshots: 'troupe_run_snapshots',
  migrations: 'troupe_migrations',
  migrationLock: 'troupe_migrations_lock',
} as const;

/** A key/value row: `value` is JSON text, or null when the value lives in the blob store under `blob_ref`. */
export interface KvRow {
  key: string;
  value: string | null;
  blob_ref: string | null;
  updated_at: BigInt64;
}

/** A run row; `last_seq` is the run's event counter, locked by appenders. */
export interface RunRow {
  id: string;
  goal: string;
  workflow: string | null;
  status: string;
  created_at: BigInt64;
  updated_at: BigInt64;
  progress: number;
  cost_usd: number;
  tokens_in: BigInt64;
  tokens_out: BigInt64;
  error: string | null;
  last_seq: ColumnType<string | number, number | undefined, number>;
}

/** One event of a run's log (JSON text, or a blob reference). */
export interface EventRow {
  run_id: string;
  seq: BigInt64;
  event: string | null;
  blob_ref: string | null;
}

/** A run's latest progress snapshot (JSON text, or a blob reference). */
export interface SnapshotRow {
  run_id: string;
  snapshot: string | null;
  blob_ref: string | null;
  updated_at: BigInt64;
}

/** The Kysely database type of the tables above. */
export interface SqlSchema {
  troupe_kv: KvRow;
  troupe_runs: RunRow;
  troupe_run_events: EventRow;
  troupe_run_snapshots: SnapshotRow;
}
