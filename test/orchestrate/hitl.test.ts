/**
 * Human in the loop inside a workflow: a step, an agent (through its handler context) or the
 * UserAgent suspends its own task with a question; the run shows it `suspended`, siblings go on,
 * `handle.resume(taskId, answer)` validates the answer and continues that branch alone, and a
 * suspended run survives a restart through its journal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReActRun, UserAsk, userAgent } from '@troupe/agents';
import {
  createRuntime,
  defineAgent,
  FileStore,
  on,
  type SubTaskProgress,
  suspendTask,
  type TaskProgress,
  trackProgress,
  ValidationError,
} from '@troupe/core';
import {
  answerRun,
  NotSuspendedError,
  orchestrate,
  parallel,
  pendingQuestions,
  resumeRun,
  run,
  step,
  suspendChannel,
} from '@troupe/pipelines';
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  DEPLOY_GOAL,
  DEPLOY_PLAN,
  deployExecutors,
  executions,
  Region,
  registerPlanning,
} from './fixtures/hitlTeam.js';
import { spawnFixture, tempDir } from './support.js';

/** Live progress of a run, read at any time. */
function watch(progress$: Parameters<typeof trackProgress>[0]): BehaviorSubject<TaskProgress | undefined> {
  const latest = new BehaviorSubject<TaskProgress | undefined>(undefined);
  trackProgress(progress$, { maxDelay: 0 }).subscribe(latest);
  return latest;
}

function find(
  cards: readonly SubTaskProgress[] | undefined,
  pred: (c: SubTaskProgress) => boolean,
): SubTaskProgress | undefined {
  for (const c of cards ?? []) {
    if (pred(c)) return c;
    const below = find(c.subtasks, pred);
    if (below) return below;
  }
  return undefined;
}

describe('a step suspends itself', () => {
  it('should show the task suspended with its question while a sibling finishes, refuse a bad answer naming the field, then go on', async () => {
    let siblingDone = false;
    const asker = step(
      async (_: string, ctx) => {
        const { region } = await ctx.suspend({ question: 'Deploy to which region?', schema: Region });
        return `deploy to ${region}`;
      },
      { name: 'asker' },
    );
    const sibling = step(
      async () => {
        siblingDone = true;
        return 'built';
      },
      { name: 'builder' },
    );
    const handle = run(parallel([asker, sibling], { failFast: true }), 'api');
    const progress = watch(handle.progress$);
    await vi.waitFor(() => expect(handle.suspended).toHaveLength(1));
    const [question] = handle.suspended;
    expect(question).toMatchObject({ question: 'Deploy to which region?', key: `${question!.taskId}#1` });
    expect(question!.schema).toMatchObject({
      type: 'object',
      properties: { region: { enum: ['eu', 'us'] } },
    });
    await vi.waitFor(() => expect(siblingDone).toBe(true));
    const card = find(progress.value?.subtasks, (c) => c.taskId === question!.taskId);
    expect(card).toMatchObject({ status: 'suspended', question: { text: 'Deploy to which region?' } });
    expect(find(progress.value?.subtasks, (c) => c.name === 'builder')?.status).toBe('completed');

    const bad = await handle.resume(question!.taskId, { region: 'mars' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).path).toBe('answer.region');
    expect(handle.suspended).toHaveLength(1);
    await expect(handle.resume('no-such-task', { region: 'eu' })).rejects.toBeInstanceOf(NotSuspendedError);

    await handle.resume(question!.taskId, { region: 'eu' });
    expect(await handle.result).toEqual(['deploy to eu', 'built']);
    expect(handle.suspended).toHaveLength(0);
    await expect(handle.resume(question!.taskId, { region: 'us' })).rejects.toBeInstanceOf(NotSuspendedError);
  });

  it('should resume two suspended branches independently, each with its own answer', async () => {
    const ask = (name: string) =>
      step(
        async (_: unknown, ctx) =>
          `${name}: ${(await ctx.suspend({ question: `value for ${name}?`, schema: z.string() })).toUpperCase()}`,
        { name },
      );
    const settled: string[] = [];
    const a = ask('a');
    const b = ask('b');
    const handle = run(
      parallel(
        [
          step(async (x: unknown, ctx) => {
            const out = await ctx.run(a, x);
            settled.push('a');
            return out;
          }),
          step(async (x: unknown, ctx) => {
            const out = await ctx.run(b, x);
            settled.push('b');
            return out;
          }),
        ],
        { failFast: true },
      ),
      undefined,
    );
    await vi.waitFor(() => expect(handle.suspended).toHaveLength(2));
    const byQuestion = new Map(handle.suspended.map((s) => [s.question, s.taskId]));
    await handle.resume(byQuestion.get('value for b?')!, 'second');
    await vi.waitFor(() => expect(settled).toEqual(['b']));
    expect(handle.suspended.map((s) => s.question)).toEqual(['value for a?']);
    await handle.resume(byQuestion.get('value for a?')!, 'first');
    expect(await handle.result).toEqual(['a: FIRST', 'b: SECOND']);
  });
});

describe('suspension inside orchestrate', () => {
  it('should suspend an agent through its handler context, its sub-task shown suspended, answered by the sub-task id', async () => {
    await using runtime = createRuntime();
    const plan = {
      subtasks: [
        { ...DEPLOY_PLAN.subtasks[0]! },
        { ...DEPLOY_PLAN.subtasks[1]!, executor: 'approver' },
        { ...DEPLOY_PLAN.subtasks[2]! },
      ],
    };
    await registerPlanning(runtime, plan, ['builder', 'approver', 'deployer']);
    await runtime.register(
      defineAgent({
        type: 'approver',
        handles: {
          [ReActRun.type]: on(ReActRun, async ({ task }, ctx) => {
            const { region } = await suspendTask(ctx, {
              question: `Where should "${task}" go?`,
              schema: Region,
            });
            return region;
          }),
        },
      }),
    );
    using tmp = tempDir();
    const [builder, , deployer] = deployExecutors(join(tmp.dir, 'log'));
    const handle = orchestrate(DEPLOY_GOAL, {
      runtime,
      executors: [builder!, { name: 'approver' }, deployer!],
    });
    const progress = watch(handle.progress$);
    await vi.waitFor(() => expect(handle.suspended).toHaveLength(1));
    const asked = handle.suspended[0]!;
    expect(asked).toMatchObject({
      key: 'region/ask#1',
      parentId: 'region',
      question: 'Where should "region the API\nExpected output: region" go?',
    });
    await vi.waitFor(() => {
      const card = find(progress.value?.subtasks, (c) => c.taskId === asked.taskId);
      expect(card?.status).toBe('suspended');
      expect(find(progress.value?.subtasks, (c) => c.taskId === 'build')?.status).toBe('completed');
    });
    await expect(handle.resume('region', { region: 'moon' })).rejects.toThrow(ValidationError);
    await handle.resume('region', { region: 'us' });
    const report = await handle.result;
    expect(report.status).toBe('completed');
    expect(report.subtasks.find((s) => s.id === 'deploy')?.result).toBe('deployed image:1 to us');
  });

  it('should turn a UserAgent question into a suspension, accepting only its choices', async () => {
    await using runtime = createRuntime();
    const plan = { subtasks: [{ ...DEPLOY_PLAN.subtasks[1]!, executor: 'operator' }] };
    await registerPlanning(runtime, plan, ['operator']);
    await runtime.register(userAgent({ channel: suspendChannel(runtime), timeout: 60_000 }));
    await runtime.register(
      defineAgent({
        type: 'operator',
        handles: {
          [ReActRun.type]: on(ReActRun, async (_, ctx) => {
            const { answer } = await ctx.ask<{ answer: string }>(
              { type: 'user' },
              UserAsk.create({ question: 'Which region?', choices: ['eu', 'us'] }),
            );
            return `operator picked ${answer}`;
          }),
        },
      }),
    );
    const handle = orchestrate('Pick a region', { runtime, executors: ['operator'] });
    await vi.waitFor(() => expect(handle.suspended).toHaveLength(1));
    expect(handle.suspended[0]).toMatchObject({ question: 'Which region?', key: 'region/ask#1' });
    await expect(handle.resume('region', 'mars')).rejects.toThrow(ValidationError);
    await handle.resume('region', 'eu');
    expect((await handle.result).subtasks[0]?.result).toBe('operator picked eu');
  });
});

describe('a suspended run survives a restart', () => {
  async function suspendedInAChild(dir: string, runId: string, log: string): Promise<void> {
    await using child = spawnFixture('deployChild.ts', [dir, runId, log]);
    await child.line(/^suspended region$/);
    // The sibling's result and the question are in the journal before the process dies (the
    // question's event reaches the journal a write after the child prints it).
    await vi.waitFor(
      () => {
        const journal = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
        expect(journal).toContain('/done/build');
        expect(journal).toContain('task.suspended');
      },
      { timeout: 20_000 },
    );
    await child.kill();
  }

  it('should ask the pending question again after kill -9, and go on once answered', {
    timeout: 60_000,
  }, async () => {
    using tmp = tempDir();
    const dir = join(tmp.dir, 'store');
    const log = join(tmp.dir, 'executions.log');
    await suspendedInAChild(dir, 'deploy-1', log);

    await using store = await FileStore.open({ dir });
    expect(await pendingQuestions('deploy-1', store)).toEqual([
      expect.objectContaining({ taskId: 'region', key: 'region#1', question: 'Deploy to which region?' }),
    ]);
    await using runtime = createRuntime();
    await registerPlanning(runtime, DEPLOY_PLAN, ['builder', 'asker', 'deployer']);
    const handle = resumeRun({ runId: 'deploy-1', store, runtime, executors: deployExecutors(log) });
    await vi.waitFor(() => expect(handle.suspended).toHaveLength(1));
    await handle.resume('region', { region: 'eu' });
    const report = await handle.result;
    expect(report).toMatchObject({ status: 'completed', sessions: 2 });
    expect(report.subtasks.map((s) => [s.id, s.fromJournal === true])).toEqual([
      ['build', true],
      ['region', false],
      ['deploy', false],
    ]);
    expect(report.subtasks[2]?.result).toBe('deployed image:1 to eu');
    // The build ran once (in the first process); the question was asked in each.
    expect(executions(log)).toEqual(['build', 'region asked', 'region asked', 'region eu', 'deploy']);
  });

  it('should take an answer stored while no process runs, and not ask again', {
    timeout: 60_000,
  }, async () => {
    using tmp = tempDir();
    const dir = join(tmp.dir, 'store');
    const log = join(tmp.dir, 'executions.log');
    await suspendedInAChild(dir, 'deploy-2', log);

    await using store = await FileStore.open({ dir });
    const bad = await answerRun({ store, runId: 'deploy-2', id: 'region', answer: { region: 'mars' } }).catch(
      (e: unknown) => e,
    );
    expect((bad as ValidationError).path).toBe('answer.region');
    await answerRun({ store, runId: 'deploy-2', id: 'region', answer: { region: 'us' } });
    expect(await pendingQuestions('deploy-2', store)).toEqual([]);
    await using runtime = createRuntime();
    await registerPlanning(runtime, DEPLOY_PLAN, ['builder', 'asker', 'deployer']);
    const handle = resumeRun({ runId: 'deploy-2', store, runtime, executors: deployExecutors(log) });
    const report = await handle.result;
    expect(report.subtasks[2]?.result).toBe('deployed image:1 to us');
    expect(executions(log)).toEqual(['build', 'region asked', 'region asked', 'region us', 'deploy']);
  });
});
