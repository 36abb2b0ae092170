import type { RunPage, RunQuery, RunRecord } from '@troupe/core';
import type { SqlContext } from './context.js';
import { isDuplicateKey } from './context.js';
import { RunExistsError, RunNotFoundError } from './errors.js';
import { decodeCursor, encodeCursor, pageLimit } from './paging.js';
import { checkPatch, checkRun, checkStatuses, patchToRow, rowToRun, runToRow } from './runRecord.js';

const RUN_COLUMNS = [
  'id',
  'goal',
  'workflow',
  'status',
  'created_at',
  'updated_at',
  'progress',
  'cost_usd',
  'tokens_in',
  'tokens_out',
  'error',
] as const;

/** Inserts a run; an existing id is a {@link RunExistsError}. */
export async function createRun(ctx: SqlContext, run: RunRecord): Promise<void> {
  checkRun(run);
  try {
    await ctx.db.insertInto('troupe_runs').values(runToRow(run)).execute();
  } catch (err) {
    if (isDuplicateKey(err)) throw new RunExistsError(run.id);
    throw err;
  }
}

/** Applies a patch; an unknown id is a {@link RunNotFoundError}. */
export async function updateRun(
  ctx: SqlContext,
  id: string,
  patch: Partial<Omit<RunRecord, 'id'>>,
): Promise<void> {
  checkPatch(patch);
  const row = patchToRow(patch);
  if (Object.keys(row).length === 0) {
    if ((await getRun(ctx, id)) === undefined) throw new RunNotFoundError(id);
    return;
  }
  const result = await ctx.db.updateTable('troupe_runs').set(row).where('id', '=', id).executeTakeFirst();
  // MySQL counts changed rows only: a patch that changes nothing reports 0 for a row that exists.
  if (Number(result.numUpdatedRows) === 0 && (await getRun(ctx, id)) === undefined)
    throw new RunNotFoundError(id);
}

/** The run, or `undefined`. */
export async function getRun(ctx: SqlContext, id: string): Promise<RunRecord | undefined> {
  const row = await ctx.db
    .selectFrom('troupe_runs')
    .select(RUN_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToRun(row);
}

/**
 * Newest first (created_at desc, id desc), by keyset: the cursor is the last run of the previous
 * page, so a page costs the same however deep it is and runs created meanwhile do not shift pages.
 */
export async function listRuns(ctx: SqlContext, query: RunQuery): Promise<RunPage> {
  const limit = pageLimit(query.limit, 50, 500);
  let q = ctx.db.selectFrom('troupe_runs').select(RUN_COLUMNS);
  if (query.status !== undefined && query.status.length > 0) {
    checkStatuses(query.status);
    q = q.where('status', 'in', query.status);
  }
  if (query.cursor !== undefined) {
    const { createdAt, id } = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const runs = rows.slice(0, limit).map(rowToRun);
  const last = runs[runs.length - 1];
  return rows.length > limit && last !== undefined
    ? { runs, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) }
    : { runs };
}
