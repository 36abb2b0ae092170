/**
 * The CLI's errors and exit codes (see ExitCode): bad flags (2), a named model provider without its
 * key (3), an unreachable NATS server (4), an unknown run id (5), a run another process holds (6);
 * help with examples; plain lines when stdout is not a terminal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, WORKFLOW } from './support/cli.js';

describe('troupe errors and exit codes', () => {
  it('should exit 2 with the reason for bad flags and arguments', { timeout: 120_000 }, async () => {
    using tmp = tempDir();
    const unknown = await runCli(['run', WORKFLOW, '--max-concurency', '2'], { cwd: tmp.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--max-concurency'");
    expect(unknown.stderr).toContain('(Did you mean --max-concurrency?)');
    const bad = await runCli(['run', WORKFLOW, '--max-concurrency', 'lots'], { cwd: tmp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected a positive integer, got 'lots'");
    const none = await runCli(['run'], { cwd: tmp.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('troupe run needs a goal');
    const missing = await runCli(['run', './no-such-workflow.ts'], { cwd: tmp.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/CLI_WORKFLOW no workflow module at \S+no-such-workflow\.ts/);
    writeFileSync(join(tmp.dir, 'empty.mjs'), 'export const x = 1;\n');
    const empty = await runCli(['run', 'empty.mjs'], { cwd: tmp.dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('exports nothing to run');
    const badId = await runCli(['replay', '../etc'], { cwd: tmp.dir });
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("'../etc' is not a run id");
  });

  it('should exit 2 naming --model for a model spec with no model or an unknown provider', {
    timeout: 120_000,
  }, async () => {
    using tmp = tempDir();
    const noModel = await runCli(['run', 'x', '--model', 'bogus'], { cwd: tmp.dir });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain("--model: model spec 'bogus' names no model");
    const unknown = await runCli(['run', 'x', '--model', 'foo:bar'], { cwd: tmp.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--model: unknown model provider 'foo'");
    // Nothing was stored for a run that never started.
    expect((await runCli(['ls'], { cwd: tmp.dir })).stdout).toBe('no runs in .troupe\n');
  });

  it('should exit 3 naming the variable when a named provider has no key', { timeout: 60_000 }, async () => {
    using tmp = tempDir();
    const r = await runCli(['run', WORKFLOW, '--model', 'openai:gpt-4.1-mini'], { cwd: tmp.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('MODEL_MISSING_API_KEY');
    expect(r.stderr).toContain('OPENAI_API_KEY');
    expect(r.stdout).toBe('');
    // Nothing was stored for a run that never started.
    const ls = await runCli(['ls'], { cwd: tmp.dir });
    expect(ls.stdout).toBe('no runs in .troupe\n');
  });

  it('should exit 4 when the NATS server cannot be reached', { timeout: 60_000 }, async () => {
    using tmp = tempDir();
    const url = `nats://127.0.0.1:${await freePort()}`;
    const r = await runCli(['run', WORKFLOW, '--nats', url], { cwd: tmp.dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`TRANSPORT could not connect to NATS at ${url}`);
    const watch = await runCli(['watch', 'some-run', '--nats', url], { cwd: tmp.dir });
    expect(watch.code).toBe(4);
  });

  it('should exit 5 for a run id the store does not have', { timeout: 120_000 }, async () => {
    using tmp = tempDir();
    const cases = [
      ['replay', 'nope'],
      ['status', 'nope'],
      ['watch', 'nope'],
      ['run', '--resume', 'nope'],
      ['cancel', 'nope'],
      ['answer', 'nope', 't1', '1'],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args, { cwd: tmp.dir })));
    results.forEach((r, i) => {
      const args = cases[i]?.join(' ');
      expect(r.code, args).toBe(5);
      expect(r.stderr, args).toContain("CLI_UNKNOWN_RUN no run 'nope' in .troupe");
    });
  });

  it('should exit 6 when another live process runs the run', { timeout: 60_000 }, async () => {
    using tmp = tempDir();
    const done = await runCli(['run', WORKFLOW, '--run-id', 'held', '--budget-tokens', '100'], {
      cwd: tmp.dir,
      env: { TROUPE_TEST_STEP_MS: '50' },
    });
    expect(done.code).toBe(7); // the budget stopped it: resumable
    expect(done.stdout).toContain('reason: token budget exhausted: 160 used of 100');
    // This test process plays the other process holding the run.
    const dir = join(tmp.dir, '.troupe/runs/held');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, host: hostname() }));
    const r = await runCli(['run', '--resume', 'held'], { cwd: tmp.dir });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`run 'held' is being run by process ${process.pid}`);
  });

  it('should print help with examples and the exit codes', { timeout: 60_000 }, async () => {
    using tmp = tempDir();
    const top = await runCli(['--help'], { cwd: tmp.dir });
    expect(top.code).toBe(0);
    for (const cmd of [
      'run',
      'worker',
      'watch',
      'status',
      'ls',
      'replay',
      'pause',
      'resume',
      'cancel',
      'answer',
      'serve',
    ]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    expect(top.stdout).toContain('Exit codes:');
    expect(top.stdout).toContain('130  interrupted by Ctrl-C');
    const run = await runCli(['run', '--help'], { cwd: tmp.dir });
    expect(run.stdout).toContain('--budget-usd <usd>');
    expect(run.stdout).toContain('troupe run --resume 20250101-120000-3f2a');
    const worker = await runCli(['worker', '--help'], { cwd: tmp.dir });
    expect(worker.code).toBe(0);
    expect(worker.stdout).toContain('usage: troupe worker --agents <module>');
  });
});

describe('troupe run output without a terminal', () => {
  it('should print plain lines (no escape codes) and exit 0', { timeout: 60_000 }, async () => {
    using tmp = tempDir();
    const r = await runCli(['run', WORKFLOW, '--run-id', 'plain-1'], {
      cwd: tmp.dir,
      env: { TROUPE_TEST_STEP_MS: '50' },
    });
    expect(r.code).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes
    expect(r.stdout).not.toMatch(/\u001b/);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^ +\+0\.000s {2}run\.started +research\.workflow$/);
    expect(lines).toContainEqual(expect.stringMatching(/task\.started +prior work/));
    expect(lines).toContainEqual(
      expect.stringMatching(/task\.tool_call +prior work {2}web\.search succeeded/),
    );
    expect(lines).toContainEqual('progress 100%');
    expect(r.stdout).toMatch(/run plain-1 completed in \S+ · 6\/6 tasks completed · 800 tokens/);
    const ls = await runCli(['ls'], { cwd: tmp.dir });
    expect(ls.stdout).toMatch(
      /^plain-1 +completed +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+ {2}research\.workflow$/m,
    );
  });
});
