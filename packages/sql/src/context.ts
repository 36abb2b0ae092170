import type { Kysely, Transaction } from 'kysely';
import type { BlobSpill } from './blobSpill.js';
import type { SqlDialectName } from './databaseUrl.js';
import type { SqlSchema } from './schema.js';

/** What the table operations share: the database, its dialect and the blob spill. */
export interface SqlContext {
  db: Kysely<SqlSchema>;
  dialect: SqlDialectName;
  spill: BlobSpill;
}

/** Whether a driver error is a unique-key violation (PostgreSQL 23505, MySQL ER_DUP_ENTRY 1062). */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null;
  return e?.code === '23505' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}

/** Whether a driver error is a deadlock or serialization failure the database rolled back. */
function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null;
  return e?.code === '40P01' || e?.code === '40001' || e?.errno === 1213;
}

/**
 * Runs `fn` in a READ COMMITTED transaction (so MySQL takes no gap locks on absent rows), retrying
 * a few times when the database picked it as a deadlock victim.
 */
export async function inTransaction<T>(
  ctx: SqlContext,
  fn: (tx: Transaction<SqlSchema>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction().setIsolationLevel('read committed').execute(fn);
    } catch (err) {
      if (attempt >= 5 || !isRetryableConflict(err)) throw err;
    }
  }
}
