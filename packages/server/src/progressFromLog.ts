import type { RunRepository } from '@troupe/core';
import { initialProgress, reduceProgress, type TaskProgress } from '@troupe/core';

/** Events read per page while rebuilding a snapshot. */
const PAGE = 5000;

/**
 * Rebuilds a run's progress snapshot from its stored event log (core's `reduceProgress` over
 * every event, a page at a time): for a stored run whose snapshot was never saved (a server
 * killed mid-run, a run written by another process). An empty log gives the initial snapshot.
 * @param name the root task's name (the run's goal, cut to 200 characters by the caller).
 */
export async function progressFromLog(repo: RunRepository, id: string, name: string): Promise<TaskProgress> {
  let state = initialProgress({ taskId: id, name });
  for (let page = await repo.events(id, { limit: PAGE }); ; ) {
    for (const e of page.events) state = reduceProgress(state, e.event);
    if (page.nextAfter === undefined) return state;
    page = await repo.events(id, { after: page.nextAfter, limit: PAGE });
  }
}
