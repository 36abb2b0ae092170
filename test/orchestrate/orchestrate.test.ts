/** orchestrate(goal) in one process: the whole flow, the report, the journal, replay, re-plans and budgets. */
import { PlanError } from '@troupe/agents';
import {
  CancelledError,
  createRuntime,
  FileStore,
  MemoryStore,
  type TaskProgress,
  trackProgress,
  ValidationError,
} from '@troupe/core';
import {
  type ExecutorSpec,
  listRuns,
  orchestrate,
  REPLANS_EXHAUSTED,
  replayRun,
  runEvents,
} from '@troupe/pipelines';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EXECUTORS, GOAL, PLAN, researcherDef, strategyDef, writerDef } from './fixtures/team.js';
import { comparable, teamRuntime, tempDir } from './support.js';

/** A researcher that runs in process, failing the sub-tasks named in `failing` (each time, or once). */
function flakyResearcher(failing: Record<string, number>): ExecutorSpec & { runs: string[] } {
  const runs: string[] = [];
  return {
    name: 'researcher',
    description: 'finds facts',
    runs,
    step: ({ subtask }) => {
      runs.push(subtask.id);
      if ((failing[subtask.id] ?? 0) > 0) {
        failing[subtask.id] = (failing[subtask.id] ?? 0) - 1;
        throw new Error(`the almanac has no page on ${subtask.id}`);
      }
      return `${subtask.id}: facts`;
    },
  };
}

describe('orchestrate in process', () => {
  it('should plan, route, run and report, going planning → executing → completed with progress only going up', async () => {
    await using runtime = await teamRuntime();
    const handle = orchestrate(GOAL, { runtime, executors: EXECUTORS });
    const snapshots = lastValueFrom(trackProgress(handle.progress$).pipe(toArray()));
    const report = await handle.result;
    const seen = await snapshots;

    expect(report).toMatchObject({ status: 'completed', replans: 0, undone: [], failures: [], sessions: 1 });
    expect(report.subtasks.map((s) => [s.id, s.executor, s.status, s.attempts])).toEqual([
      ['facts-Oslo', 'researcher', 'completed', 1],
      ['facts-Rome', 'researcher', 'completed', 1],
      ['brief', 'writer', 'completed', 1],
    ]);
    expect(report.subtasks[2]).toMatchObject({
      model: 'scripted:writer',
      result: { title: 'Oslo and Rome' },
    });
    expect((report.subtasks[2]!.result as { body: string }).body).toContain('Rome: about 800 mm');
    for (const s of report.subtasks) expect(s.tokens.input + s.tokens.output).toBeGreaterThan(0);
    // The run's tokens include the planner's: more than the sub-tasks' alone.
    const work = report.subtasks.reduce((n, s) => n + s.tokens.input + s.tokens.output, 0);
    expect(report.tokens.total).toBeGreaterThan(work);
    expect(handle.plan?.subtasks.map((t) => t.id)).toEqual(['facts-Oslo', 'facts-Rome', 'brief']);

    const statuses = seen.map((p) => p.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['planning', 'executing', 'completed']);
    const overall = seen.map((p) => p.overallProgress);
    expect(overall).toEqual([...overall].sort((a, b) => a - b));
    expect(overall.at(-1)).toBe(100);
    const last = seen.at(-1) as TaskProgress;
    const execute = last.subtasks.find((c) => c.taskId === '@execute');
    expect(execute?.subtasks.map((c) => [c.taskId, c.agent, c.status])).toEqual([
      ['facts-Oslo', 'researcher', 'completed'],
      ['facts-Rome', 'researcher', 'completed'],
      ['brief', 'writer', 'completed'],
    ]);
    // Each sub-task's card counts its executor's tokens.
    const rome = execute?.subtasks.find((c) => c.taskId === 'facts-Rome');
    expect(rome?.tokens).toEqual(report.subtasks[1]!.tokens);
  });

  it('should rebuild the live final snapshot from the journal and list the run', async () => {
    using tmp = tempDir();
    await using runtime = await teamRuntime();
    await using store = await FileStore.open({ dir: tmp.dir });
    const handle = orchestrate(GOAL, { runtime, executors: EXECUTORS, store, runId: 'replayed' });
    const live = lastValueFrom(trackProgress(handle.progress$));
    await handle.result;
    expect(await replayRun('replayed', store)).toEqual(await live);
    const [meta] = await listRuns(store);
    expect(meta).toMatchObject({ runId: 'replayed', goal: GOAL, status: 'completed', sessions: 1 });
    expect(meta?.summary).toMatchObject({ completed: 3, total: 3 });
  });

  it('should write identical event logs for two runs with the same scripted models and seeds', async () => {
    const logs = [];
    for (let i = 0; i < 2; i++) {
      await using runtime = await teamRuntime();
      const store = new MemoryStore();
      const handle = orchestrate(GOAL, { runtime, executors: EXECUTORS, store, runId: `same-${i}` });
      await handle.result;
      logs.push(comparable(await runEvents(`same-${i}`, store)));
    }
    expect(logs[0]!.length).toBeGreaterThan(50);
    expect(logs[1]).toEqual(logs[0]);
  });

  it('should re-plan a failed branch, keeping finished work, and complete', async () => {
    await using runtime = await teamRuntime();
    const researcher = flakyResearcher({ 'facts-Rome': 1 });
    const handle = orchestrate(GOAL, { runtime, executors: [researcher, EXECUTORS[1]!] });
    const live = lastValueFrom(trackProgress(handle.progress$));
    const report = await handle.result;

    expect(report).toMatchObject({ status: 'completed', replans: 1, undone: [] });
    // facts-Oslo ran once and was kept; facts-Rome failed, was re-planned and ran again.
    expect(researcher.runs.sort()).toEqual(['facts-Oslo', 'facts-Rome', 'facts-Rome']);
    expect(report.subtasks.map((s) => [s.id, s.taskId, s.status])).toEqual([
      ['facts-Oslo', 'facts-Oslo', 'completed'],
      ['facts-Rome', 'facts-Rome#2', 'completed'],
      ['brief', 'brief#2', 'completed'],
      ['facts-Rome', 'facts-Rome', 'failed'],
      ['brief', 'brief', 'skipped'],
    ]);
    expect(report.failures).toEqual([
      {
        id: 'facts-Rome',
        status: 'failed',
        error: { code: 'HANDLER_ERROR', message: expect.stringContaining('no page') },
      },
    ]);
    const p = await live;
    expect(p.status).toBe('completed');
    const plan = p.subtasks.find((c) => c.taskId === '@plan');
    expect(plan?.subtasks.map((c) => c.taskId)).toContain('@replan-1');
  });

  it('should end failed with what is left undone once re-plans run out', async () => {
    await using runtime = await teamRuntime();
    const handle = orchestrate(GOAL, {
      runtime,
      executors: [flakyResearcher({ 'facts-Rome': 9 }), EXECUTORS[1]!],
      maxReplans: 1,
    });
    const live = lastValueFrom(trackProgress(handle.progress$));
    const report = await handle.result;
    expect(report).toMatchObject({ status: 'failed', stopReason: 'replans_exhausted', replans: 1 });
    expect(report.undone).toEqual(['facts-Rome', 'brief']);
    const p = await live;
    expect(p.status).toBe('failed');
    expect(p.subtasks.find((c) => c.taskId === '@execute')?.error?.code).toBe(REPLANS_EXHAUSTED);
  });

  it('should end with an explicit partial report when the token budget runs out', async () => {
    await using runtime = await teamRuntime();
    // The planner spends 330 tokens, each research about 114: the researches cross the limit.
    const handle = orchestrate(GOAL, { runtime, executors: EXECUTORS, budget: { tokens: 400 } });
    const live = lastValueFrom(trackProgress(handle.progress$));
    const report = await handle.result;
    expect(report).toMatchObject({ status: 'partial', stopReason: 'budget.tokens' });
    expect(report.tokens.total).toBeGreaterThanOrEqual(400);
    expect(report.undone).toContain('brief');
    expect(report.subtasks.find((s) => s.id === 'brief')?.status).toBe('pending');
    const p = await live;
    expect(p.status).toBe('failed');
    expect(p.subtasks.find((c) => c.taskId === '@execute')?.status).toBe('cancelled');
  });

  it('should end with a partial report when the time budget runs out, cancelling what runs', async () => {
    await using runtime = await teamRuntime();
    const stuck: ExecutorSpec = {
      name: 'researcher',
      // Never finishes by itself; it stops when its signal aborts.
      step: (_input, ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    };
    const handle = orchestrate(GOAL, {
      runtime,
      executors: [stuck, EXECUTORS[1]!],
      budget: { seconds: 0.3 },
    });
    const report = await handle.result;
    expect(report).toMatchObject({ status: 'partial', stopReason: 'budget.seconds' });
    expect(report.subtasks.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'pending']);
    expect(report.subtasks[0]?.error?.message).toMatch(/budget exhausted: 0.3 s/);
  });

  it('should never run more sub-tasks at once than maxConcurrency', async () => {
    await using runtime = await teamRuntime();
    let running = 0;
    let most = 0;
    const slow: ExecutorSpec = {
      name: 'researcher',
      step: async ({ subtask }) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        return subtask.id;
      },
    };
    const handle = orchestrate(GOAL, { runtime, executors: [slow, EXECUTORS[1]!], maxConcurrency: 1 });
    expect((await handle.result).status).toBe('completed');
    expect(most).toBe(1);
  });

  it('should reject with CancelledError when cancelled, and mark its journal cancelled', async () => {
    await using runtime = await teamRuntime();
    const store = new MemoryStore();
    let began: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      began = resolve;
    });
    const stuck: ExecutorSpec = {
      name: 'researcher',
      step: (_input, ctx) => {
        began();
        return new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      },
    };
    const handle = orchestrate(GOAL, { runtime, executors: [stuck, EXECUTORS[1]!], store, runId: 'stopped' });
    await started;
    handle.cancel('enough');
    await expect(handle.result).rejects.toBeInstanceOf(CancelledError);
    expect((await listRuns(store))[0]).toMatchObject({ runId: 'stopped', status: 'cancelled' });
    expect((await replayRun('stopped', store)).status).toBe('cancelled');
  });

  it('should run a plan given in code without asking a planner, and refuse an invalid one', async () => {
    await using runtime = createRuntime();
    await runtime.register(strategyDef());
    await runtime.register(researcherDef());
    await runtime.register(writerDef());
    const handle = orchestrate(GOAL, { runtime, executors: EXECUTORS, plan: PLAN });
    const report = await handle.result;
    expect(report.status).toBe('completed');
    expect(report.tokens.total).toBe(
      report.subtasks.reduce((n, s) => n + s.tokens.input + s.tokens.output, 0),
    );
    const broken = { subtasks: [{ ...PLAN.subtasks[0]!, dependencies: ['nowhere'] }] };
    expect(() => orchestrate(GOAL, { runtime, executors: EXECUTORS, plan: broken })).toThrow(PlanError);
  });

  it('should refuse no executors and a bad maxConcurrency before anything runs', async () => {
    await using runtime = await teamRuntime();
    expect(() => orchestrate(GOAL, { runtime, executors: [] })).toThrow(ValidationError);
    expect(() => orchestrate(GOAL, { runtime, executors: EXECUTORS, maxConcurrency: 0 })).toThrow(
      /maxConcurrency must be an integer/,
    );
    expect(() => orchestrate(GOAL, { runtime, executors: ['a', 'a'] })).toThrow(/given twice/);
  });
});
