/**
 * The complex-task note's flow — plan → code with a coding agent → test → report — through
 * `orchestrate`: the Planner decomposes the goal into a design, a coding step, a test run and a
 * report; the Strategy routes the coding step to a Claude Code session (here the stand-in `claude`
 * from @troupe/testing: the same stream-json output, no account), the tests to a process, the
 * rest to ReAct agents. The session's tool calls, tokens and cost stream into the run's progress.
 * Offline with no key; with OPENAI_API_KEY or ANTHROPIC_API_KEY the planner, architect and writer
 * use that model, and with TROUPE_CODER=claude the real Claude Code runs.
 *
 *   pnpm example examples/codeWithRunner.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createModel,
  type PlanDraft,
  plannerAgent,
  reactAgent,
  type ScriptedResponder,
  strategyAgent,
} from '@troupe/agents';
import { createRuntime } from '@troupe/core';
import { type ExecutorSpec, type OrchestrateReport, orchestrate, TaskAssign } from '@troupe/pipelines';
import { ClaudeCodeRunner, ProcessRunner, type RunnerResult, runnerAgent } from '@troupe/runners';
import { standInCommand } from '@troupe/testing';
import { printRun } from './shared/printRun.js';

export const GOAL = 'Add a slugify(text) helper to the utils module, with tests';

const sub = (id: string, executor: string, description: string, dependencies: string[], seconds: number) => ({
  id,
  name: id,
  description,
  executor,
  expectedOutput: `${id} done`,
  estimatedSeconds: seconds,
  dependencies,
  tags: [executor],
});

/** What the scripted planner drafts (a real model drafts its own). */
export const PLAN: PlanDraft = {
  subtasks: [
    sub('design', 'architect', 'Decide the signature and the edge cases of slugify', [], 60),
    sub('code', 'coder', 'Implement slugify in src/utils.ts following the design', ['design'], 900),
    sub('test', 'tester', 'Run the unit tests', ['code'], 60),
    sub(
      'report',
      'writer',
      'Report what was done, what the tests say, and what is left',
      ['design', 'code', 'test'],
      30,
    ),
  ],
};

const TEST =
  "const assert = require('node:assert'); assert.strictEqual('Hello World'.toLowerCase().replace(/\\s+/g, '-'), 'hello-world'); console.log('tests: 1 passed');";

const toTask = (payload: { prompt?: string | undefined; label?: string | undefined }) => ({
  ...(payload.prompt === undefined ? {} : { prompt: payload.prompt }),
  ...(payload.label === undefined ? {} : { label: payload.label }),
});

export async function main(): Promise<OrchestrateReport> {
  const workdir = mkdtempSync(join(tmpdir(), 'troupe-code-'));
  try {
    await using runtime = createRuntime({ namespace: 'code' });
    const model = (name: string, script: ScriptedResponder) =>
      createModel(undefined, { scripted: { name, script, latencyMs: [50, 150], record: false } });
    const executors: ExecutorSpec[] = [
      { name: 'architect', description: 'designs APIs and lists edge cases' },
      {
        name: 'coder',
        description: 'a coding agent (Claude Code) that edits the repository',
        message: ({ subtask, context }) =>
          TaskAssign.create({
            label: subtask.id,
            group: 'code',
            prompt: `${subtask.description}\n${context}`,
          }),
        result: (reply) => (reply as { result?: string }).result ?? reply,
      },
      {
        name: 'tester',
        description: 'runs the test suite',
        message: ({ subtask }) =>
          TaskAssign.create({ label: subtask.id, group: 'code', prompt: 'node -e <tests>' }),
      },
      { name: 'writer', description: 'writes reports' },
    ];
    await runtime.register(plannerAgent({ model: model('planner', () => ({ output: PLAN })), executors }));
    await runtime.register(
      strategyAgent({
        executors: executors.map((e) => e.name),
        rules: [
          {
            name: 'long coding sessions',
            when: { executor: 'coder' },
            use: { timeout: 30 * 60_000, retries: 0 },
          },
        ],
        defaults: { retries: 0 },
      }),
    );
    await runtime.register(
      reactAgent({
        type: 'architect',
        model: model('architect', () => ({
          text: 'slugify(text: string): string — lower-case, spaces and punctuation to single dashes, trim dashes; edge cases: empty, unicode, repeated spaces.',
        })),
      }),
    );
    const claude =
      process.env.TROUPE_CODER === 'claude'
        ? new ClaudeCodeRunner({ permissionMode: 'acceptEdits' })
        : new ClaudeCodeRunner({ command: standInCommand('claude'), permissionMode: 'acceptEdits' });
    await runtime.register(
      runnerAgent(claude, {
        type: 'coder',
        start: { cwd: workdir, timeout: 30 * 60_000 },
        toTask,
        toResult: (r) => r,
      }),
    );
    await runtime.register(
      runnerAgent(new ProcessRunner(), {
        type: 'tester',
        toTask: () => ({ command: [process.execPath, '-e', TEST] }),
        start: { cwd: workdir, timeout: 60_000 },
        toResult: (r: RunnerResult) => `exit ${r.exitCode}`,
      }),
    );
    await runtime.register(
      reactAgent({
        type: 'writer',
        model: model('writer', (request) => {
          const done = (request.messages.at(-1)?.content.split('Context:\n')[1] ?? '')
            .split('\n')
            .filter(Boolean);
          return {
            text: ['# Report', ...done.map((l) => `- ${l.slice(0, 120)}`), 'Left: nothing.'].join('\n'),
          };
        }),
      }),
    );
    const handle = orchestrate(GOAL, { runtime, executors, maxConcurrency: 2 });
    handle.progress$.subscribe((e) => {
      if (e.kind === 'task.tool_call' && e.status === 'started')
        console.log(`          tool ${e.tool} (${e.agent ?? ''})`);
    });
    const report = await printRun(handle);
    console.log(`\n${String(report.subtasks.find((s) => s.id === 'report')?.result ?? '')}`);
    return report;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await main();
  process.exitCode = report.status === 'completed' ? 0 : 1;
}
