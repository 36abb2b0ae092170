import { sql } from 'kysely';
import type { SqlContext } from './context.js';
import { inTransaction, isDuplicateKey } from './context.js';

// The Store half of SqlStore: one row per key in troupe_kv. Every write that can replace a blob
// reads the old reference under a row lock in the same transaction, and drops the blob after commit.

/** The value at `key`, or `undefined`. */
export async function kvGet<T>(ctx: SqlContext, key: string): Promise<T | undefined> {
  const row = await ctx.db
    .selectFrom('troupe_kv')
    .select(['value', 'blob_ref'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row === undefined ? undefined : ctx.spill.get<T>(row.value, row.blob_ref);
}

/** Writes `value` at `key` (insert or replace). */
export async function kvSet(ctx: SqlContext, key: string, value: unknown): Promise<void> {
  const { text, ref } = await ctx.spill.put('kv', `the value at ${JSON.stringify(key)}`, value);
  const row = { key, value: text, blob_ref: ref, updated_at: Date.now() };
  let old: string | null = null;
  try {
    old = await inTransaction(ctx, async (tx) => {
      const before = await tx
        .selectFrom('troupe_kv')
        .select('blob_ref')
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirst();
      const update = { value: text, blob_ref: ref, updated_at: row.updated_at };
      if (ctx.dialect === 'postgres') {
        await tx
          .insertInto('troupe_kv')
          .values(row)
          .onConflict((oc) => oc.column('key').doUpdateSet(update))
          .execute();
      } else {
        await tx.insertInto('troupe_kv').values(row).onDuplicateKeyUpdate(update).execute();
      }
      return before?.blob_ref ?? null;
    });
  } catch (err) {
    await ctx.spill.drop(ref);
    throw err;
  }
  await ctx.spill.drop(old);
}

/** Writes `value` only when `key` is absent; resolves to whether it wrote. Atomic across processes. */
export async function kvSetIfAbsent(ctx: SqlContext, key: string, value: unknown): Promise<boolean> {
  const { text, ref } = await ctx.spill.put('kv', `the value at ${JSON.stringify(key)}`, value);
  const row = { key, value: text, blob_ref: ref, updated_at: Date.now() };
  let wrote = false;
  try {
    if (ctx.dialect === 'postgres') {
      const result = await ctx.db
        .insertInto('troupe_kv')
        .values(row)
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      wrote = Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    } else {
      try {
        await ctx.db.insertInto('troupe_kv').values(row).execute();
        wrote = true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  } finally {
    if (!wrote) await ctx.spill.drop(ref);
  }
  return wrote;
}

/** Removes `key` (no error when absent). */
export async function kvDelete(ctx: SqlContext, key: string): Promise<void> {
  const old = await inTransaction(ctx, async (tx) => {
    const before = await tx
      .selectFrom('troupe_kv')
      .select('blob_ref')
      .where('key', '=', key)
      .forUpdate()
      .executeTakeFirst();
    if (before === undefined) return null;
    await tx.deleteFrom('troupe_kv').where('key', '=', key).execute();
    return before.blob_ref;
  });
  await ctx.spill.drop(old);
}

/** Keys starting with `prefix`, sorted (JavaScript string order). */
export async function kvKeys(ctx: SqlContext, prefix: string): Promise<string[]> {
  let query = ctx.db.selectFrom('troupe_kv').select('key').orderBy('key');
  // `!` escapes LIKE's wildcards in both dialects (a backslash would need doubling in MySQL literals).
  if (prefix !== '') {
    const pattern = `${prefix.replace(/[!%_]/g, '!$&')}%`;
    query = query.where(sql<boolean>`${sql.ref('key')} like ${pattern} escape '!'`);
  }
  const rows = await query.execute();
  return rows.map((r) => r.key).sort();
}
