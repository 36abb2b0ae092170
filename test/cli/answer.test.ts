/**
 * `troupe answer`: a sub-task suspended with a question shows in `troupe status` with the command
 * that answers it; an answer that does not fit the question's schema is refused (exit 1, the field
 * named), a good one continues that task and the run completes.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runCli, startCli, tempDir } from './support/cli.js';

const WORKFLOW = fileURLToPath(new URL('./fixtures/suspend.workflow.ts', import.meta.url));

it('should show a suspended task, refuse a bad answer and continue on a good one', {
  timeout: 180_000,
}, async () => {
  using tmp = tempDir();
  const run = startCli(['run', WORKFLOW, '--run-id', 'ask-1'], { cwd: tmp.dir });
  await expect
    .poll(() => run.stdout(), { timeout: 60_000, interval: 50 })
    .toMatch(/task\.suspended +approve {2}asks: Deploy to production\?/);
  const status = await runCli(['status', 'ask-1'], { cwd: tmp.dir });
  const taskId = /^\? (\S+) asks: Deploy to production\?$/m.exec(status.stdout)?.[1];
  expect(taskId, status.stdout).toBeDefined();
  expect(status.stdout).toContain(`answer with: troupe answer ask-1 ${taskId} '<json>'`);
  const bad = await runCli(['answer', 'ask-1', taskId ?? '', '{"ok":"yes"}'], { cwd: tmp.dir });
  expect(bad.code).toBe(1);
  expect(bad.stdout).toMatch(/ok/);
  expect(bad.stdout).not.toContain('answered');
  const notJson = await runCli(['answer', 'ask-1', taskId ?? '', '{ok'], { cwd: tmp.dir });
  expect(notJson.code).toBe(2);
  const good = await runCli(['answer', 'ask-1', taskId ?? '', '{"ok":true}'], { cwd: tmp.dir });
  expect(good.stdout).toContain(`ask-1: answered task '${taskId}'`);
  expect(good.code).toBe(0);
  const end = await run.exited;
  expect(end.code).toBe(0);
  expect(end.stdout).toMatch(/✓ approve {2}completed .*→ deployed/);
});
