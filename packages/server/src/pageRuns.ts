import { type RunPage, type RunRecord, type RunStatus, runLimit, ValidationError } from '@troupe/core';

/** A run's position in the newest-first order (createdAt desc, id desc). */
interface Position {
  createdAt: number;
  id: string;
}

/** Encodes the position after which the next page starts (opaque to clients). */
export function encodeCursor(run: Position): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.id])).toString('base64url');
}

/** Decodes a cursor; throws `ValidationError` (path `cursor`) when it is not one of ours. */
export function decodeCursor(cursor: string): Position {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'number' && typeof id === 'string') return { createdAt, id };
  } catch {}
  throw new ValidationError('invalid cursor', {
    issues: [{ path: 'cursor', message: 'not a cursor this server issued' }],
  });
}

/** Whether `a` comes before `b` newest first. */
function before(a: Position, b: Position): boolean {
  return a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.id > b.id;
}

/** One page of `runs` (any order) by the `listRuns` rules: filter, order newest first, after the cursor. */
export function pageRuns(
  runs: readonly RunRecord[],
  query: { status?: RunStatus[]; limit?: number; cursor?: string },
): RunPage {
  const limit = runLimit(query.limit);
  const from = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
  const sorted = runs
    .filter((r) => (statuses ? statuses.has(r.status) : true) && (from ? before(from, r) : true))
    .sort((a, b) => (before(a, b) ? -1 : 1));
  const page = sorted.slice(0, limit);
  const last = page.at(-1);
  return { runs: page, ...(sorted.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
}
