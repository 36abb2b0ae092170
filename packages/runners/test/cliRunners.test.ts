import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from '@troupe/core';
import { processesWith, type StandInCli, standInCommand } from '@troupe/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ClaudeCodeRunner,
  type CliRunnerOptions,
  CodexRunner,
  GeminiCliRunner,
  QwenCodeRunner,
  type Runner,
} from '../src/index.js';
import { NASTY, ofKind, record, removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

interface Case {
  cli: StandInCli;
  make: (options: CliRunnerOptions) => Runner;
  /** The program's own failure code and exit code in the `fail` scenario. */
  fail: { code: string; exitCode: number };
  /** Percent values its to-do list reports in the `ok` scenario. */
  percents: number[];
  artifacts: string[];
}

const cases: Case[] = [
  {
    cli: 'claude',
    make: (o) => new ClaudeCodeRunner(o),
    fail: { code: 'error_max_turns', exitCode: 1 },
    percents: [33, 100],
    artifacts: ['src/feature.ts'],
  },
  {
    cli: 'qwen',
    make: (o) => new QwenCodeRunner(o),
    fail: { code: 'error_max_turns', exitCode: 1 },
    percents: [33, 100],
    artifacts: ['src/feature.ts'],
  },
  {
    cli: 'gemini',
    make: (o) => new GeminiCliRunner(o),
    fail: { code: 'FatalTurnLimitedError', exitCode: 53 },
    percents: [50, 100],
    artifacts: ['docs/summary.md'],
  },
  {
    cli: 'codex',
    make: (o) => new CodexRunner({ ...o, model: 'gpt-5-codex' }),
    fail: { code: 'turn_failed', exitCode: 1 },
    percents: [0, 25, 75, 100],
    artifacts: ['src/parser.rs', 'CHANGELOG.md'],
  },
];

/** The stand-ins' 200 KiB text (see packages/testing/src/standins/common.mjs). */
function bigText(): string {
  const unit = 'ascii é 中文 🙂 ';
  return `${unit.repeat(Math.ceil((200 * 1024) / Buffer.byteLength(unit)))}END`;
}

describe.each(cases)('$cli runner on its stand-in', ({ cli, make, fail, percents, artifacts }) => {
  const runner = (options: CliRunnerOptions = {}) => make({ command: standInCommand(cli), ...options });

  it('should parse progress from its output: tools, percent, tokens, files, result, session id', async () => {
    await using r = runner();
    const session = await r.start({ prompt: 'Implement the feature' });
    const events = record(session.events$);
    const result = await session.wait();
    expect(result).toMatchObject({ status: 'completed', exitCode: 0, artifacts });
    expect(result.result).toEqual(expect.any(String));
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ofKind(events, 'task.progress').map((e) => e.percent)).toEqual(percents);
    expect(ofKind(events, 'task.tool_call').length).toBeGreaterThanOrEqual(2);
    expect(ofKind(events, 'task.artifact').map((e) => e.name)).toEqual(artifacts);
    const tokens = ofKind(events, 'task.tokens');
    expect(tokens.reduce((sum, e) => sum + e.input, 0)).toBe(result.usage?.inputTokens);
    expect(tokens.reduce((sum, e) => sum + e.output, 0)).toBe(result.usage?.outputTokens);
  });

  it('should report the program’s own failure', async () => {
    await using r = runner();
    const result = await (await r.start({ prompt: '-x scenario:fail' })).wait();
    expect(result).toMatchObject({ status: 'failed', exitCode: fail.exitCode, error: { code: fail.code } });
  });

  it('should pass the prompt byte for byte as one argument, executing nothing', async () => {
    const dir = tempDir(`${cli}-nasty`);
    await using r = runner();
    const prompt = `${NASTY} scenario:echo`;
    const result = await (await r.start({ prompt }, { cwd: dir })).wait();
    expect(result.result).toBe(prompt);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('should read a 200 KiB line whole', async () => {
    await using r = runner();
    const result = await (await r.start({ prompt: 'scenario:big' })).wait();
    expect(result.status).toBe('completed');
    expect(result.result).toBe(bigText());
  });

  it('should resume the CLI’s own session by id', async () => {
    await using r = runner();
    const result = await (await r.start({ prompt: 'continue' }, { sessionId: 'resume-me-123' })).wait();
    expect(result.sessionId).toBe('resume-me-123');
  });

  it('should keep unknown events and plain lines as logs and still finish', async () => {
    await using r = runner();
    const session = await r.start({ prompt: 'scenario:unknown' });
    const events = record(session.events$);
    expect((await session.wait()).status).toBe('completed');
    expect(ofKind(events, 'task.log').some((e) => e.message.includes('unknown event'))).toBe(true);
  });

  it('should time out a hung CLI and leave nothing running', async () => {
    await using r = runner();
    const marker = `hang-${cli}-${process.pid}-${Date.now()}`;
    const session = await r.start({ prompt: `scenario:hang ${marker}` }, { timeout: 500 });
    expect(await session.wait()).toMatchObject({ status: 'timed_out' });
    expect(processesWith(marker)).toEqual([]);
  });
});

describe('ClaudeCodeRunner', () => {
  it('should take follow-ups in stream-json input mode', async () => {
    await using claude = new ClaudeCodeRunner({ command: standInCommand('claude'), followUps: true });
    const session = await claude.start({ prompt: 'first turn' });
    await session.send('second turn scenario:echo');
    expect(await session.wait()).toMatchObject({
      status: 'completed',
      result: 'first turn / second turn scenario:echo',
    });
  });

  it('should record the result so reattach finds the finished session', async () => {
    const store = new MemoryStore();
    await using claude = new ClaudeCodeRunner({ command: standInCommand('claude'), store });
    const session = await claude.start({ prompt: 'do it' });
    const result = await session.wait();
    await using other = new ClaudeCodeRunner({ command: standInCommand('claude'), store });
    expect(await (await other.reattach(session.id)).wait()).toEqual(result);
  });

  it('should stop a CLI that ignores SIGTERM with SIGKILL on cancel', async () => {
    await using claude = new ClaudeCodeRunner({ command: standInCommand('claude') });
    const marker = `stubborn-${process.pid}-${Date.now()}`;
    const session = await claude.start({ prompt: `scenario:stubborn ${marker}` });
    const lines = record(session.output$);
    await expect.poll(() => lines.length).toBeGreaterThan(0);
    await session.cancel('stop');
    expect(processesWith(marker)).toEqual([]);
    expect(await session.wait()).toMatchObject({ status: 'cancelled', signal: 'SIGKILL' });
  }, 15_000);
});
