import type { EventPage, EventQuery, ProgressEvent, StoredEvent, TaskProgress } from '@troupe/core';
import type { Spilled } from './blobSpill.js';
import { inTransaction, type SqlContext } from './context.js';
import { RunNotFoundError } from './errors.js';
import { afterSeq, pageLimit } from './paging.js';

/** Rows per INSERT statement, and the most JSON text one statement carries (MySQL's packet limit). */
const BATCH_ROWS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Appends events after the run's last `seq`, in one transaction that holds the run's row lock
 * (`SELECT last_seq … FOR UPDATE`): appenders in any number of processes take turns, so seqs have
 * no gaps and no duplicates, and a crash mid-append leaves nothing half-written.
 */
export async function appendEvents(
  ctx: SqlContext,
  id: string,
  events: readonly ProgressEvent[],
): Promise<number> {
  const spilled: Spilled[] = [];
  try {
    for (const [i, event] of events.entries()) {
      spilled.push(await ctx.spill.put('event', `event ${i} appended to run ${JSON.stringify(id)}`, event));
    }
    return await inTransaction(ctx, async (tx) => {
      const run = await tx
        .selectFrom('troupe_runs')
        .select('last_seq')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (run === undefined) throw new RunNotFoundError(id);
      const first = Number(run.last_seq) + 1;
      if (spilled.length === 0) return first - 1;
      let batch: { run_id: string; seq: number; event: string | null; blob_ref: string | null }[] = [];
      let bytes = 0;
      for (const [i, s] of spilled.entries()) {
        batch.push({ run_id: id, seq: first + i, event: s.text, blob_ref: s.ref });
        bytes += (s.text ?? s.ref ?? '').length;
        if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) {
          await tx.insertInto('troupe_run_events').values(batch).execute();
          batch = [];
          bytes = 0;
        }
      }
      if (batch.length > 0) await tx.insertInto('troupe_run_events').values(batch).execute();
      const last = first + spilled.length - 1;
      await tx.updateTable('troupe_runs').set({ last_seq: last }).where('id', '=', id).execute();
      return last;
    });
  } catch (err) {
    await Promise.all(spilled.map((s) => ctx.spill.drop(s.ref)));
    throw err;
  }
}

/** Events with seq > after, ascending, one page: an index range scan on (run_id, seq), never OFFSET. */
export async function listEvents(ctx: SqlContext, id: string, query: EventQuery): Promise<EventPage> {
  const after = afterSeq(query.after);
  const limit = pageLimit(query.limit, 500, 5000);
  const rows = await ctx.db
    .selectFrom('troupe_run_events')
    .select(['seq', 'event', 'blob_ref'])
    .where('run_id', '=', id)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const events: StoredEvent[] = await Promise.all(
    page.map(async (r) => ({
      seq: Number(r.seq),
      event: (await ctx.spill.get<ProgressEvent>(r.event, r.blob_ref)) as ProgressEvent,
    })),
  );
  const last = events[events.length - 1];
  return rows.length > limit && last !== undefined ? { events, nextAfter: last.seq } : { events };
}

/** Replaces the run's snapshot (the old blob, if any, is dropped after commit). */
export async function saveSnapshot(ctx: SqlContext, id: string, snapshot: TaskProgress): Promise<void> {
  const { text, ref } = await ctx.spill.put(
    'snapshot',
    `the snapshot of run ${JSON.stringify(id)}`,
    snapshot,
  );
  const row = { run_id: id, snapshot: text, blob_ref: ref, updated_at: Date.now() };
  const update = { snapshot: text, blob_ref: ref, updated_at: row.updated_at };
  let old: string | null = null;
  try {
    old = await inTransaction(ctx, async (tx) => {
      const before = await tx
        .selectFrom('troupe_run_snapshots')
        .select('blob_ref')
        .where('run_id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (ctx.dialect === 'postgres') {
        await tx
          .insertInto('troupe_run_snapshots')
          .values(row)
          .onConflict((oc) => oc.column('run_id').doUpdateSet(update))
          .execute();
      } else {
        await tx.insertInto('troupe_run_snapshots').values(row).onDuplicateKeyUpdate(update).execute();
      }
      return before?.blob_ref ?? null;
    });
  } catch (err) {
    await ctx.spill.drop(ref);
    throw err;
  }
  await ctx.spill.drop(old);
}

/** The run's latest snapshot, or `undefined`. */
export async function getSnapshot(ctx: SqlContext, id: string): Promise<TaskProgress | undefined> {
  const row = await ctx.db
    .selectFrom('troupe_run_snapshots')
    .select(['snapshot', 'blob_ref'])
    .where('run_id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : ctx.spill.get<TaskProgress>(row.snapshot, row.blob_ref);
}
