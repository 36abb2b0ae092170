/**
 * Crash safety: a process running a journaled run is killed with SIGKILL mid-run; another one
 * resumes it from the journal. Sub-tasks journaled as finished are not executed again (counted),
 * the run completes, and its replay equals the resumed run's live final snapshot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRuntime,
  FileStore,
  isTerminalStatus,
  type SubTaskProgress,
  trackProgress,
} from '@troupe/core';
import { readJournal, replayRun, resumeRun } from '@troupe/pipelines';
import { lastValueFrom } from 'rxjs';
import { expect, it, vi } from 'vitest';
import { BATCH_PLAN, batchExecutor } from './fixtures/batchTeam.js';
import { executions, registerPlanning } from './fixtures/hitlTeam.js';
import { spawnFixture, tempDir } from './support.js';

const doneKeys = (dir: string) =>
  readFileSync(join(dir, 'runs.jsonl'), 'utf8').match(/\/done\/[\w-]+/g) ?? [];

it('should resume a run killed with SIGKILL without executing its finished sub-tasks again', {
  timeout: 90_000,
}, async () => {
  using tmp = tempDir();
  const dir = join(tmp.dir, 'store');
  const log = join(tmp.dir, 'executions.log');
  {
    await using child = spawnFixture('batchChild.ts', [dir, 'batch-1', log]);
    await child.line(/^started$/);
    await vi.waitFor(() => expect(new Set(doneKeys(dir)).size).toBeGreaterThanOrEqual(3), {
      timeout: 30_000,
      interval: 20,
    });
    await child.kill();
  }
  await using store = await FileStore.open({ dir });
  const journal = await readJournal(store, 'batch-1');
  const finished = [...(journal?.done.keys() ?? [])];
  expect(finished.length).toBeGreaterThanOrEqual(3);
  expect(finished.length).toBeLessThan(BATCH_PLAN.subtasks.length);
  expect(journal?.meta.status).toBe('running');
  const before = executions(log);

  await using runtime = createRuntime();
  await registerPlanning(runtime, BATCH_PLAN, ['worker']);
  const handle = resumeRun({
    runId: 'batch-1',
    store,
    runtime,
    maxConcurrency: 2,
    executors: [batchExecutor(log, 20)],
  });
  const live = lastValueFrom(trackProgress(handle.progress$));
  const report = await handle.result;

  expect(report).toMatchObject({ status: 'completed', sessions: 2, undone: [] });
  const after = executions(log).slice(before.length);
  const startedAgain = after.filter((l) => l.startsWith('start ')).map((l) => l.slice(6));
  // Nothing journaled as finished ran again; everything else ran once more.
  for (const id of finished) expect(startedAgain, id).not.toContain(id);
  expect(startedAgain.sort()).toEqual(
    BATCH_PLAN.subtasks
      .map((t) => t.id)
      .filter((id) => !finished.includes(id))
      .sort(),
  );
  for (const s of report.subtasks) expect(s.fromJournal === true, s.id).toBe(finished.includes(s.id));
  expect(report.subtasks.find((s) => s.id === 'gather-b')?.result).toBe('gather-b(f4,f5,f6,gather-a)');

  // The live snapshot (journal replayed first, then this session) equals the replay of the whole log,
  // and nothing the dead process left running is still open.
  const final = await live;
  expect(await replayRun('batch-1', store)).toEqual(final);
  expect(final.status).toBe('completed');
  const open: string[] = [];
  const walk = (cards: readonly SubTaskProgress[]) => {
    for (const c of cards) {
      if (!isTerminalStatus(c.status)) open.push(`${c.taskId} ${c.status}`);
      walk(c.subtasks);
    }
  };
  walk(final.subtasks);
  expect(open).toEqual([]);
  expect((await readJournal(store, 'batch-1'))?.meta).toMatchObject({ status: 'completed', sessions: 2 });
});
