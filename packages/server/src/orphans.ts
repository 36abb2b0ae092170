import { FINISHED_STATUSES, type RunRepository, type RunStatus } from '@troupe/core';

const OPEN: RunStatus[] = ['pending', 'running', 'paused', 'suspended'];

/**
 * Ends the runs a previous server process left open (it was killed, `kill -9`, mid-run): each
 * not-finished run becomes `failed` with error code `INTERRUPTED`, so no run stays `running`
 * with nobody driving it (and watchers get their `end`). Call it at start-up, before serving,
 * and only on a repository this process owns alone (a shared database may hold runs other
 * servers are driving). Resolves to the ids it ended.
 */
export async function closeOrphanedRuns(repository: RunRepository, now = Date.now()): Promise<string[]> {
  const ended: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await repository.listRuns({ status: OPEN, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const run of page.runs) {
      if (FINISHED_STATUSES.includes(run.status)) continue;
      await repository.updateRun(run.id, {
        status: 'failed',
        updatedAt: now,
        error: {
          code: 'INTERRUPTED',
          message: `the server stopped while this run was ${run.status}; start it again`,
        },
      });
      ended.push(run.id);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ended;
}
