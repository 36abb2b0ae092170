import {
  CancelledError,
  createRuntime,
  type ProgressEvent,
  type SubTaskProgress,
  type TaskProgress,
  TimeoutError,
  TroupeError,
  trackProgress,
} from '@troupe/core';
import { agentStep, parallel, run, sequential, step } from '@troupe/pipelines';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Adder, Inc, pause, WAIT } from './support.js';

describe('sequential and run', () => {
  it('should feed each output to the next step, typed end to end', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder);
    const add = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }));
    const pipeline = sequential([(s: string) => s.length, add, add, async (n) => `total ${n}`]);
    expectTypeOf(pipeline).toMatchTypeOf<{ run: (input: string, ctx: never) => Promise<string> }>();
    const out = await run(pipeline, 'abc').result;
    expectTypeOf(out).toEqualTypeOf<string>();
    expect(out).toBe('total 5');
  });

  it('should emit progress events that trackProgress shows as a tree', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder, { instances: 2 });
    const add = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }), { name: 'add' });
    const fanOut = parallel([add, add], { failFast: true, name: 'fan-out', maxConcurrency: 1 });
    const pipeline = sequential([add, fanOut, ([a, b]: number[]) => (a ?? 0) + (b ?? 0)], {
      name: 'pipeline',
    });
    const handle = run(pipeline, 1, { name: 'tree' });
    const events = lastValueFrom(handle.progress$.pipe(toArray()));
    const snapshot = lastValueFrom(trackProgress(handle.progress$));
    expect(await handle.result).toBe(6);

    const all = await events;
    const kinds = all.map((e) => e.kind);
    expect(kinds[0]).toBe('run.started');
    expect(kinds.at(-1)).toBe('run.finished');
    expect(kinds).toEqual(
      expect.arrayContaining(['task.created', 'task.queued', 'task.started', 'task.completed']),
    );
    expect(new Set(all.map((e) => e.runId))).toEqual(new Set([handle.runId]));
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));

    const p: TaskProgress = await snapshot;
    expect(p.status).toBe('completed');
    expect(p.name).toBe('tree');
    expect(p.overallProgress).toBe(100);
    const top = p.subtasks as [SubTaskProgress];
    expect(top.map((t) => t.name)).toEqual(['pipeline']);
    expect(top[0].subtasks.map((t) => t.name)).toEqual(['add', 'fan-out', 'step']);
    expect(top[0].subtasks[1]?.subtasks.map((t) => [t.name, t.status, t.agent])).toEqual([
      ['add', 'completed', 'test.adder'],
      ['add', 'completed', 'test.adder'],
    ]);
    expect(top[0].subtasks[1]?.subtasks[0]?.parentId).toBe(top[0].subtasks[1]?.taskId);
  });

  it('should send progress to the runtime too, and bring the agents’ own events into progress$', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder);
    const add = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }), { name: 'add' });
    const fromRuntime: ProgressEvent[] = [];
    runtime.progress$.subscribe((e) => fromRuntime.push(e));
    const handle = run(sequential([add, add]), 0, { runtime });
    const events = lastValueFrom(handle.progress$.pipe(toArray()));
    await handle.result;
    const mine = await events;
    const stepIds = new Set(mine.filter((e) => e.kind === 'task.created').map((e) => e.taskId));
    // The agents report each ask as a task under the step that asked.
    const agentStarts = mine.filter((e) => e.kind === 'task.started' && e.agent?.startsWith('test.adder/'));
    expect(agentStarts).toHaveLength(2);
    for (const e of agentStarts) expect(stepIds.has(e.parentId ?? '')).toBe(true);
    // No duplicates: our own events come back through the runtime but appear once.
    expect(mine.filter((e) => e.kind === 'run.started')).toHaveLength(1);
    expect(fromRuntime.filter((e) => e.runId === handle.runId && e.kind === 'run.finished')).toHaveLength(1);
  });

  it('should pause (no new step starts), resume, and cancel from another task while running', async () => {
    const started: number[] = [];
    const stepSignals: AbortSignal[] = [];
    const slow = step(
      async (n: number, ctx) => {
        started.push(n);
        stepSignals.push(ctx.signal);
        await pause(200, ctx.signal);
        return n + 1;
      },
      { name: 'slow' },
    );
    const handle = run(sequential([slow, slow, slow, slow]), 0);
    const statuses: string[] = [];
    const tracked = trackProgress(handle.progress$).subscribe((p) => statuses.push(p.status));
    const kinds: string[] = [];
    handle.progress$.subscribe((e) => kinds.push(e.kind));
    // Another task controls the run while it works.
    const controller = (async () => {
      await vi.waitFor(() => expect(started.length).toBe(1), WAIT);
      handle.pause();
      expect(handle.status).toBe('paused');
      // The first step finishes; the sequence then stops at the pause gate, so after one more turn
      // of the event loop (every microtask of that completion has run) the second has not started.
      await vi.waitFor(() => expect(kinds.filter((k) => k === 'task.completed')).toHaveLength(1), WAIT);
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toEqual([0]);
      handle.resume();
      await vi.waitFor(() => expect(started.length).toBe(3), WAIT);
      handle.cancel('enough');
    })();
    await expect(handle.result).rejects.toThrow(CancelledError);
    await controller;
    expect(handle.status).toBe('cancelled');
    expect(started).toEqual([0, 1, 2]);
    expect(stepSignals[2]?.aborted).toBe(true);
    expect(stepSignals[2]?.reason).toMatchObject({ message: 'enough' });
    tracked.unsubscribe();
    expect(kinds).toEqual(expect.arrayContaining(['task.paused', 'task.resumed', 'task.cancelled']));
    expect(statuses).toContain('paused');
    expect(statuses.at(-1)).toBe('cancelled');
  });

  it('should tell running steps about a pause through ctx.paused / whenResumed', async () => {
    const log: string[] = [];
    const cooperative = async (_: number, ctx: { paused: boolean; whenResumed(): Promise<void> }) => {
      for (let i = 0; i < 20; i++) {
        if (ctx.paused) {
          log.push('paused');
          await ctx.whenResumed();
          log.push('resumed');
        }
        await pause(10);
      }
      return 'done';
    };
    const handle = run(cooperative, 0);
    await pause(15);
    handle.pause();
    await pause(40);
    handle.resume();
    expect(await handle.result).toBe('done');
    expect(log).toEqual(['paused', 'resumed']);
  });

  it('should retry a step on retryable errors only, and time out a whole run', async () => {
    let calls = 0;
    const flaky = step(
      () => {
        calls += 1;
        if (calls < 3) throw new TroupeError('BUSY', 'busy', { retryable: true });
        return 'ok';
      },
      { retries: 5, backoff: { baseMs: 1, jitter: 'none' } },
    );
    expect(await run(flaky, null).result).toBe('ok');
    expect(calls).toBe(3);

    let fatalCalls = 0;
    const fatal = step(
      () => {
        fatalCalls += 1;
        throw new TroupeError('BAD_INPUT', 'bad input');
      },
      { retries: 5, backoff: { baseMs: 1 } },
    );
    await expect(run(fatal, null).result).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(fatalCalls).toBe(1);

    const forever = run((_: null, ctx) => pause(10_000, ctx.signal), null, { timeout: 20 });
    await expect(forever.result).rejects.toBeInstanceOf(TimeoutError);
    expect(forever.status).toBe('timed_out');
  });

  it('should let steps emit their own progress and run children through ctx.run', async () => {
    const child = step((n: number) => n * 10, { name: 'child' });
    const parent = step(
      async (n: number, ctx) => {
        ctx.emit({ kind: 'task.progress', percent: 50, step: 'halfway' });
        return ctx.run(child, n);
      },
      { name: 'parent' },
    );
    const handle = run(parent, 4);
    const events = lastValueFrom(handle.progress$.pipe(toArray()));
    expect(await handle.result).toBe(40);
    const all = await events;
    const parentStart = all.find((e) => e.kind === 'task.started' && e.name === 'parent');
    const progress = all.find((e) => e.kind === 'task.progress');
    expect(progress).toMatchObject({ taskId: parentStart?.taskId, percent: 50, step: 'halfway' });
    const childStart = all.find((e) => e.kind === 'task.started' && e.name === 'child');
    expect(childStart?.parentId).toBe(parentStart?.taskId);
  });
});
