/**
 * `troupe run "<goal>"`: orchestrate with the Planner, the Strategy and the ReAct executors on the
 * scripted model (no key, no server); `kill -9` mid-run, then `--resume` continues from
 * orchestrate's journal without starting the finished sub-tasks again, and replay equals the live
 * final snapshot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskProgress } from '@troupe/core';
import { expect, it } from 'vitest';
import { jsonEvents, runCli, startCli, tempDir } from './support/cli.js';

const GOAL = 'compare actor runtimes for agents';

it('should orchestrate a goal offline, survive kill -9, and resume without redoing finished sub-tasks', {
  timeout: 180_000,
}, async () => {
  using tmp = tempDir();
  const first = startCli(['run', GOAL, '--run-id', 'goal-1', '--max-concurrency', '1'], { cwd: tmp.dir });
  await expect
    .poll(() => first.stdout(), { timeout: 60_000, interval: 50 })
    .toMatch(/task\.completed +research background/);
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stdout).toMatch(/task\.started +plan/);
  const finished = [...killed.stdout.matchAll(/task\.completed +(research \w[\w ]*)$/gm)].map((m) => m[1]);
  expect(finished).toContain('research background');

  const resumedAt = Date.now();
  const resumed = await runCli(['run', '--resume', 'goal-1', '--json'], { cwd: tmp.dir });
  expect(resumed.code, resumed.stderr).toBe(0);
  const events = jsonEvents(resumed.stdout);
  // The resumed session's own events (the journal's replay comes first, with older times).
  const session = events.filter((e) => e.ts >= resumedAt);
  const started = session.filter((e) => e.kind === 'task.started').map((e) => e.name);
  expect(started).toContain('write the report');
  for (const name of finished) expect(started, name).not.toContain(name);
  expect(events.at(-1)).toMatchObject({ kind: 'run.finished', status: 'completed' });

  const live = JSON.parse(
    readFileSync(join(tmp.dir, '.troupe/runs/goal-1/final.json'), 'utf8'),
  ) as TaskProgress;
  expect(live.status).toBe('completed');
  const replay = await runCli(['replay', 'goal-1', '--json'], { cwd: tmp.dir });
  expect(JSON.parse(replay.stdout)).toEqual(live);
});
