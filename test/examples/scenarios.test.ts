/**
 * The scenario examples, each run as the program a user runs (ScriptedModel, no key, no server):
 * the TaskGroup note's scenarios, the complex-task flow with the stand-in coding CLI, the
 * simulation, and the research run the CLI drives.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { trackProgress } from '@troupe/core';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPICS, startResearch } from '../../examples/research.js';
import { simulate } from '../../examples/simulation.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** This environment without model keys: the examples run on their scripted models. */
function offline(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TROUPE_LOG: 'warn' };
  for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'TROUPE_MODEL', 'TROUPE_CODER'])
    delete env[name];
  return env;
}

async function example(name: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}`, ...args], {
    cwd: root,
    timeout: 120_000,
    env: offline(),
  });
  return stdout;
}

describe('scenario examples', () => {
  it('should research several topics through orchestrate, planning → executing → completed', {
    timeout: 120_000,
  }, async () => {
    const out = await example('research.ts', ['actor model', 'backpressure']);
    expect(out).toMatch(/run planning 0%/);
    expect(out).toMatch(/start research-1 \(researcher\)/);
    expect(out).toMatch(/done {2}summary/);
    expect(out).toMatch(/run completed 100%/);
    expect(out).toMatch(/status completed · 3\/3 sub-tasks/);
  });

  it('should give the CLI a research run to drive: a handle with progress and a report', async () => {
    const handle = await startResearch({ latencyMs: 0 });
    const final = lastValueFrom(trackProgress(handle.progress$));
    const report = await handle.result;
    expect(report.status).toBe('completed');
    expect(report.subtasks).toHaveLength(DEFAULT_TOPICS.length + 1);
    expect(String(report.subtasks.at(-1)?.result)).toContain('Actors keep state private');
    expect((await final).status).toBe('completed');
  });

  it('should review each file of a real directory, then summarize', { timeout: 120_000 }, async () => {
    const out = await example('codeReview.ts', ['packages/pipelines/src/orchestrate']);
    expect(out).toMatch(/reviewing 12 files of packages\/pipelines\/src\/orchestrate/);
    expect(out).toMatch(/status completed · 13\/13 sub-tasks/);
    expect(out).toMatch(/files need work:/);
    expect(out).toMatch(/flow\.ts: \d+ lines, \d+ exports/);
  });

  it('should write a batch of articles with a TaskGroup, retrying the one that failed', {
    timeout: 120_000,
  }, async () => {
    const out = await example('batchWriting.ts');
    expect(out).toMatch(/6\/6 {2}\S/);
    expect(out).toMatch(/\(2 attempts\)/);
    expect(out).toContain('TaskGroup batch writing: 6/6 done — 6 completed, 0 failed');
  });

  it('should deploy in dependency order, waiting on the approval', { timeout: 120_000 }, async () => {
    const out = await example('deploy.ts');
    const order = [...out.matchAll(/start (\S+) \(/g)].map((m) => m[1]);
    expect(order.indexOf('test')).toBeGreaterThan(
      Math.max(order.indexOf('build-api'), order.indexOf('build-web')),
    );
    expect(order.indexOf('deploy-api')).toBeGreaterThan(order.indexOf('approve'));
    expect(order.at(-1)).toBe('smoke-test');
    expect(out).toMatch(/asks {2}approve: Migrations are done .+ Deploy to production\?/);
    expect(out).toMatch(/status completed · 8\/8 sub-tasks/);
  });

  it('should plan, code with the stand-in Claude Code, test in a process and report', {
    timeout: 120_000,
  }, async () => {
    const out = await example('codeWithRunner.ts');
    expect(out).toMatch(/tool Write \(coder\/_0\)/);
    expect(out).toMatch(/completed code +coder/);
    expect(out).toContain('- test: exit 0');
    expect(out).toMatch(/status completed · 4\/4 sub-tasks/);
  });

  it('should simulate agents exchanging messages in rounds, as actors and in shards', {
    timeout: 120_000,
  }, async () => {
    const out = await example('simulation.ts', ['--agents', '2000', '--rounds', '2']);
    expect(out).toMatch(/round 2: 2,000 messages in \d+ ms = [\d,]+ msg\/s · rss \d+ MiB/);
    expect(out).toContain('heard 4,000 messages in all');
    const sharded = await simulate({ agents: 100_000, rounds: 2, mode: 'shards' });
    expect(sharded.heard).toBe(200_000);
    const actors = await simulate({ agents: 500, rounds: 3, mode: 'actors' });
    expect(actors.heard).toBe(1_500);
  });
});
