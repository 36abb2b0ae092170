import {
  FINISHED_STATUSES,
  initialProgress,
  type RunRepository,
  reduceProgress,
  type TaskProgress,
} from '@troupe/core';
import type { RunService } from '../RunService.js';
import type { WsClient } from '../WsClient.js';

/** Ms between looks for new events of a run another process writes. */
const POLL_MS = 500;

/**
 * Serves a run this process does not drive from the repository: a snapshot (or the events after
 * `after`), then new events as another process (sharing the store or database) appends them,
 * then `end` once the run finished. Waits for the client to drain between pages, so it never
 * queues more than a page.
 */
export async function followStored(options: {
  client: WsClient;
  runs: RunService;
  repo: RunRepository;
  id: string;
  after: number | undefined;
  pageSize: number;
  closed: () => boolean;
}): Promise<void> {
  const { client, runs, repo, id, pageSize, closed } = options;
  let seq = options.after ?? (await sendSnapshot());

  async function sendSnapshot(): Promise<number> {
    const run = await runs.get(id);
    const finished = FINISHED_STATUSES.includes(run.status);
    const saved = finished ? await repo.getSnapshot(id) : undefined;
    let state: TaskProgress = saved ?? initialProgress({ taskId: id, name: run.goal.slice(0, 200) });
    let last = 0;
    for (let page = await repo.events(id, { limit: 5000 }); ; ) {
      for (const e of page.events) if (saved === undefined) state = reduceProgress(state, e.event);
      last = page.events.at(-1)?.seq ?? last;
      if (page.nextAfter === undefined) break;
      page = await repo.events(id, { after: page.nextAfter, limit: 5000 });
    }
    client.push(last, JSON.stringify({ type: 'snapshot', seq: last, snapshot: state, run }));
    return last;
  }

  let finishedSeen = false;
  while (!closed()) {
    const page = await repo.events(id, { after: seq, limit: pageSize });
    for (const e of page.events)
      client.push(e.seq, JSON.stringify({ type: 'event', seq: e.seq, event: e.event }));
    seq = page.events.at(-1)?.seq ?? seq;
    await client.drained();
    if (page.nextAfter !== undefined) continue;
    if (finishedSeen) {
      client.pushControl(JSON.stringify({ type: 'end', run: await runs.get(id) }));
      await client.close(1000, 'run ended');
      return;
    }
    // One more page after the run is seen finished: events written just before it.
    finishedSeen = FINISHED_STATUSES.includes((await runs.get(id)).status);
    if (!finishedSeen) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
