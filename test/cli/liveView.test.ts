/**
 * `troupe run` in a real pseudo-terminal (tmux): the live view draws the overall bar and one line per
 * sub-task, redraws as the run goes on, and ends with the report; a screen capture is kept in
 * test/cli/artifacts/. The first Ctrl-C stops the run cleanly, says how to resume it, and exits
 * 130; `--resume` then finishes it. Needs tmux: fails, never skips, under CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killTmuxServer, tmuxSocket, tmuxSuite } from '@troupe/testing';
import { afterAll, expect, it } from 'vitest';
import { runCli, runIdOf, tempDir, WORKFLOW } from './support/cli.js';
import { startTmuxCli } from './support/tmuxCli.js';

const socket = tmuxSocket('troupe-cli-live');
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

afterAll(() => killTmuxServer(socket));

tmuxSuite('troupe run in a terminal', () => {
  it('should draw the live view, update it, and end with the report', { timeout: 120_000 }, async () => {
    using tmp = tempDir();
    const cli = startTmuxCli(socket, 'live', ['run', WORKFLOW, '--max-concurrency', '2'], {
      cwd: tmp.dir,
      env: { TROUPE_TEST_STEP_MS: '2000' },
    });
    // Mid-run: the header, the bar, a running researcher with its agent, and pending work.
    const mid = await cli.waitFor(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    expect(mid).toMatch(/troupe · research\.workflow \S+ running/);
    expect(mid).toMatch(/[█░]{10,}\s+\d+%\s+\d\/6 tasks/);
    expect(mid).toMatch(/prior work\s+running\s+researcher/);
    expect(mid).toMatch(/report\s+pending/);
    expect(mid).toContain('Ctrl-C stops the run cleanly');
    // It updates: later, the first researchers are done and others run.
    const later = await cli.waitFor(/prior work\s+completed\s+researcher\s+scripted/);
    expect(later).toMatch(/practical impact\s+running/);
    expect(later).toMatch(/web\.search/);
    expect(await cli.exitCode()).toBe(0);
    const end = cli.history();
    expect(end).toMatch(/run \S+ completed in [\d.]+s · 6\/6 tasks completed · 800 tokens/);
    expect(end).toMatch(/✓ report {2}completed {2}writer · scripted/);
    expect(end).toMatch(/replay: troupe replay \S+/);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'live-view-mid-run.txt'), `${later}\n`);
    writeFileSync(join(ARTIFACTS, 'live-view-end.txt'), `${cli.screen()}\n`);
  });

  it('should stop cleanly on Ctrl-C, say how to resume, and finish on --resume', {
    timeout: 180_000,
  }, async () => {
    using tmp = tempDir();
    const cli = startTmuxCli(socket, 'ctrl-c', ['run', WORKFLOW], {
      cwd: tmp.dir,
      env: { TROUPE_TEST_STEP_MS: '4000' },
    });
    await cli.waitFor(/prior work\s+running/);
    cli.keys('C-c');
    expect(await cli.exitCode()).toBe(130);
    const text = cli.history();
    expect(text).toMatch(/run \S+ interrupted in/);
    expect(text).toContain('reason: interrupted by Ctrl-C');
    const id = runIdOf(text);
    expect(text).toContain(`resume: troupe run --resume ${id}`);
    const resumed = await runCli(['run', '--resume', id], {
      cwd: tmp.dir,
      env: { TROUPE_TEST_STEP_MS: '200' },
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`run ${id} completed`));
  });
});
