/**
 * Crash safety and replay: `kill -9` of `troupe run` mid-run, then `troupe run --resume`: the
 * sub-tasks that had finished are not executed again (counted), the run completes. `troupe replay`
 * rebuilds the same final snapshot the live run ended with, and the one its `--json` events reduce to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskProgress } from '@troupe/core';
import { expect, it } from 'vitest';
import { executions, jsonEvents, reduceEvents, runCli, startCli, tempDir, WORKFLOW } from './support/cli.js';

const NAMES = ['prior work', 'open problems', 'practical impact', 'benchmarks', 'report'];

it('should resume a run killed with SIGKILL without executing its finished sub-tasks again', {
  timeout: 180_000,
}, async () => {
  using tmp = tempDir();
  const count = join(tmp.dir, 'executions.txt');
  const env = { TROUPE_TEST_COUNT_FILE: count, TROUPE_TEST_STEP_MS: '1500' };
  const first = startCli(['run', WORKFLOW, '--run-id', 'crash-1', '--max-concurrency', '2'], {
    cwd: tmp.dir,
    env,
  });
  // Two researchers finished (checkpointed) and the next two started: kill it there.
  await expect
    .poll(() => first.stdout(), { timeout: 60_000, interval: 50 })
    .toMatch(/task\.started +benchmarks/);
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  expect(killed.signal).toBe('SIGKILL');
  const finishedBefore = [...killed.stdout.matchAll(/task\.completed +(.+)$/gm)].map((m) => m[1]);
  expect(finishedBefore).toEqual(expect.arrayContaining(['prior work', 'open problems']));
  expect(finishedBefore).not.toContain('report');

  const status = await runCli(['status', 'crash-1'], { cwd: tmp.dir });
  expect(status.stdout).toMatch(/crash-1 · research\.workflow · interrupted/);
  expect(status.stdout).toContain('resume: troupe run --resume crash-1');

  const resumed = await runCli(['run', '--resume', 'crash-1', '--json'], {
    cwd: tmp.dir,
    env: { ...env, TROUPE_TEST_STEP_MS: '200' },
  });
  expect(resumed.stderr).toContain('replay: troupe replay crash-1');
  expect(resumed.code).toBe(0);
  const runs = executions(count);
  for (const name of NAMES) expect(runs, name).toContain(name);
  for (const name of finishedBefore)
    expect(
      runs.filter((r) => r === name),
      name,
    ).toHaveLength(1);
  // The resumed run shows the interrupted attempt's open tasks closed, then completes.
  const events = jsonEvents(resumed.stdout);
  expect(
    events.filter((e) => e.kind === 'task.cancelled' && e.reason?.startsWith('interrupted')).length,
  ).toBeGreaterThan(0);
  expect(events.at(-1)).toMatchObject({ kind: 'run.finished', status: 'completed' });

  // Replay (another process, from the journal only) equals the live final snapshot.
  const live = JSON.parse(
    readFileSync(join(tmp.dir, '.troupe/runs/crash-1/final.json'), 'utf8'),
  ) as TaskProgress;
  const replay = await runCli(['replay', 'crash-1', '--json'], { cwd: tmp.dir });
  expect(replay.code).toBe(0);
  expect(JSON.parse(replay.stdout)).toEqual(live);
  expect(live.status).toBe('completed');
  expect(live.overallProgress).toBe(100);
});

it('should replay a recorded run to the snapshot the live run ended with, with a timeline', {
  timeout: 120_000,
}, async () => {
  using tmp = tempDir();
  const live = await runCli(['run', WORKFLOW, '--json', '--run-id', 'rec-1'], {
    cwd: tmp.dir,
    env: { TROUPE_TEST_STEP_MS: '100' },
  });
  expect(live.code).toBe(0);
  const events = jsonEvents(live.stdout);
  expect(events[0]).toMatchObject({ kind: 'run.started', runId: 'rec-1' });
  const final = JSON.parse(
    readFileSync(join(tmp.dir, '.troupe/runs/rec-1/final.json'), 'utf8'),
  ) as TaskProgress;
  expect(reduceEvents(events, 'research.workflow')).toEqual(final);
  const json = await runCli(['replay', 'rec-1', '--json'], { cwd: tmp.dir });
  expect(JSON.parse(json.stdout)).toEqual(final);
  const text = await runCli(['replay', 'rec-1'], { cwd: tmp.dir });
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^timeline\n +\+0\.000s {2}run\.started +research\.workflow$/m);
  expect(text.stdout).toMatch(/task\.completed +report/);
  expect(text.stdout).toMatch(/run rec-1 completed in \S+ · 6\/6 tasks completed · 800 tokens/);
  expect(text.stdout).toContain(`${events.length} events replayed`);
});
