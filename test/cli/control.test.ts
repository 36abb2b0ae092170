/**
 * Steering a run from another process: `troupe pause|resume|cancel` through the run's `control/`
 * directory, and, over NATS, through its control subject, with `troupe watch --nats` following the
 * run from the JetStream progress stream; `troupe watch` from the store. Needs nats-server: fails,
 * never skips, under CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { runCli, startCli, tempDir, WORKFLOW } from './support/cli.js';

it('should pause, resume and cancel a run through the store, and watch it from the store', {
  timeout: 180_000,
}, async () => {
  using tmp = tempDir();
  const gate = join(tmp.dir, 'gate');
  mkdirSync(gate);
  const open = (step: string) => writeFileSync(join(gate, step), '');
  const run = startCli(['run', WORKFLOW, '--run-id', 'steer-1', '--max-concurrency', '1'], {
    cwd: tmp.dir,
    env: { TROUPE_TEST_STEP_MS: '100', TROUPE_TEST_GATE: gate },
  });
  await expect
    .poll(() => run.stdout(), { timeout: 60_000, interval: 50 })
    .toMatch(/task\.started +prior work/);
  const watch = startCli(['watch', 'steer-1', '--plain'], { cwd: tmp.dir });
  const paused = await runCli(['pause', 'steer-1'], { cwd: tmp.dir });
  expect(paused.stdout).toContain(
    'steer-1: paused: running steps finish, no new step starts (state: paused)',
  );
  expect(paused.code).toBe(0);
  // Paused: the running step ends, and no new one starts.
  open('prior work');
  await expect
    .poll(() => run.stdout(), { timeout: 30_000, interval: 50 })
    .toMatch(/task\.completed +prior work/);
  const status = await runCli(['status', 'steer-1'], { cwd: tmp.dir });
  expect(status.stdout).toMatch(/steer-1 · research\.workflow · running · \d+% · running in process \d+/);
  expect(run.stdout()).not.toMatch(/task\.started +open problems/);
  const resumed = await runCli(['resume', 'steer-1'], { cwd: tmp.dir });
  expect(resumed.stdout).toContain('resumed');
  await expect
    .poll(() => run.stdout(), { timeout: 30_000, interval: 50 })
    .toMatch(/task\.started +open problems/);
  const cancelled = await runCli(['cancel', 'steer-1', '--reason', 'enough'], { cwd: tmp.dir });
  expect(cancelled.stdout).toContain('steer-1: cancelling');
  const end = await run.exited;
  expect(end.code).toBe(8);
  expect(end.stdout).toMatch(/run steer-1 cancelled in/);
  expect(end.stdout).toContain('reason: enough');
  const watched = await watch.exited;
  expect(watched.code).toBe(8);
  expect(watched.stdout).toMatch(/task\.completed +prior work/);
  expect(watched.stdout).toMatch(/run steer-1 cancelled/);
  // No process runs it now: pause says so.
  const late = await runCli(['pause', 'steer-1'], { cwd: tmp.dir });
  expect(late.code).toBe(1);
  expect(late.stdout).toContain(
    'no process is running it (state: cancelled); continue it with: troupe run --resume steer-1',
  );
});

natsSuite('troupe over NATS', () => {
  it('should run on NATS, be watched from JetStream and cancelled over the control subject', {
    timeout: 180_000,
  }, async () => {
    await using server = await startNatsServer();
    using tmp = tempDir();
    using other = tempDir(); // the watcher and the canceller have no store of their own
    const nats = ['--nats', server.url, '--namespace', 'clitest'];
    // Steps wait on a gate that is never opened: the run is still going when the cancel arrives,
    // however slow the machine is.
    const gate = join(tmp.dir, 'gate');
    mkdirSync(gate);
    const run = startCli(['run', WORKFLOW, '--run-id', 'remote-1', ...nats], {
      cwd: tmp.dir,
      env: { TROUPE_TEST_STEP_MS: '100', TROUPE_TEST_GATE: gate },
    });
    await expect
      .poll(() => run.stdout(), { timeout: 60_000, interval: 50 })
      .toMatch(/task\.started +prior work/);
    const watch = startCli(['watch', 'remote-1', '--plain', ...nats], { cwd: other.dir });
    await expect
      .poll(() => watch.stdout(), { timeout: 60_000, interval: 50 })
      .toMatch(/task\.started +prior work/);
    const cancel = await runCli(['cancel', 'remote-1', ...nats], { cwd: other.dir });
    expect(cancel.stdout, cancel.stderr).toContain('remote-1: cancelling');
    expect((await run.exited).code).toBe(8);
    const watched = await watch.exited;
    expect(watched.stdout).toMatch(/run\.finished +research\.workflow cancelled/);
    expect(watched.code).toBe(1); // no local record: the stream said it did not complete
    const unknown = await runCli(['watch', 'no-such-run', ...nats], { cwd: other.dir });
    expect(unknown.code).toBe(5);
  });
});
