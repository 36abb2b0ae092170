/**
 * Progress never lies (issue 7 §1): overall progress never decreases during a successful run, a
 * retried attempt is not finished work, pausing leaves unstarted work as it was, and no task is
 * left open once the run has finished.
 */
import {
  createRuntime,
  initialProgress,
  type ProgressEvent,
  reduceProgress,
  type SubTaskProgress,
  type TaskProgress,
  trackProgress,
} from '@troupe/core';
import {
  agentStep,
  dag,
  loop,
  parallel,
  type RunHandle,
  run,
  sequential,
  step,
  TaskGroup,
} from '@troupe/pipelines';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { Adder, Inc, InFlight, pause, slowAgent, taskAgent, WAIT, Work } from './support.js';

interface Watched<O> {
  result: O | Error;
  log: ProgressEvent[];
  /** What trackProgress emitted. */
  snapshots: TaskProgress[];
  /** Overall progress after every single event (the log reduced one event at a time). */
  overall: number[];
  final: TaskProgress;
}

/** Runs a handle to its end, keeping every event, every tracked snapshot and the overall % after each event. */
async function watch<O>(handle: RunHandle<O>): Promise<Watched<O>> {
  const events = lastValueFrom(handle.progress$.pipe(toArray()));
  const snapshots: TaskProgress[] = [];
  trackProgress(handle.progress$).subscribe((p) => snapshots.push(p));
  const result = await handle.result.catch((e: unknown) => e as Error);
  const log = await events;
  let state = initialProgress();
  const overall: number[] = [];
  for (const e of log) {
    state = reduceProgress(state, e);
    overall.push(state.overallProgress);
  }
  return { result, log, snapshots, overall, final: state };
}

/** The first place a series goes down, or undefined. */
function firstDrop(values: number[]): { at: number; from: number; to: number } | undefined {
  for (let i = 1; i < values.length; i++) {
    const from = values[i - 1] as number;
    const to = values[i] as number;
    if (to < from) return { at: i, from, to };
  }
  return undefined;
}

function expectMonotone(w: Watched<unknown>): void {
  expect(firstDrop(w.overall), 'overall progress after each event').toBeUndefined();
  expect(firstDrop(w.snapshots.map((p) => p.overallProgress)), 'tracked snapshots').toBeUndefined();
  expect(w.final.overallProgress).toBe(100);
  expect(w.snapshots.at(-1)?.overallProgress).toBe(100);
}

const all = (nodes: SubTaskProgress[]): SubTaskProgress[] => nodes.flatMap((n) => [n, ...all(n.subtasks)]);
const open = (p: TaskProgress) =>
  all(p.subtasks).filter((t) => t.status === 'pending' || t.status === 'queued' || t.status === 'running');

/** Once the run finished nothing is open, and the events saying so came before `run.finished`. */
function expectAllEnded(w: Watched<unknown>): void {
  expect(w.log.at(-1)?.kind).toBe('run.finished');
  expect(open(w.final).map((t) => `${t.name}:${t.status}`)).toEqual([]);
  const beforeEnd = w.log.slice(0, -1).reduce(reduceProgress, initialProgress());
  expect(open(beforeEnd).map((t) => `${t.name}:${t.status}`)).toEqual([]);
}

describe('overall progress never decreases in a successful run', () => {
  it('should rise monotonically over sequential([fn, parallel([a, b, c]), fn]), the README shape', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder, { instances: 3 });
    const add = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }), { name: 'add' });
    const pipeline = sequential([
      (n: number) => n + 1,
      parallel([add, add, add], { failFast: true }),
      (ns: number[]) => ns.reduce((a, b) => a + b, 0),
    ]);
    const w = await watch(run(pipeline, 1, { runtime }));
    expect(w.result).toBe(9);
    expectMonotone(w);
    expectAllEnded(w);
    // The first step's share is a third of the run, and stays one.
    expect(w.overall).toContain(33.3);
  });

  it('should rise monotonically over nested parallel and sequential under a concurrency limit', async () => {
    const tick = step(async (n: number) => {
      await pause(1);
      return n + 1;
    });
    const pipeline = parallel(
      [
        sequential([tick, tick]),
        sequential([tick, parallel([tick, sequential([tick, tick])], { failFast: true }), () => 0]),
        tick,
        parallel([tick, tick, tick], { maxConcurrency: 1 }),
      ],
      { maxConcurrency: 2 },
    );
    const w = await watch(run(pipeline, 0));
    expectMonotone(w);
    expectAllEnded(w);
  });

  it('should rise monotonically over a dag', async () => {
    const tick = async () => {
      await pause(1);
      return 1;
    };
    const graph = dag(
      {
        a: tick,
        b: { deps: ['a'], step: tick },
        c: { deps: ['a'], step: sequential([tick, tick]) },
        d: { deps: ['b', 'c'], step: tick },
        e: tick,
      },
      { maxConcurrency: 2 },
    );
    const w = await watch(run(graph, null));
    expectMonotone(w);
    expectAllEnded(w);
  });

  it('should rise monotonically over a TaskGroup of agent and step tasks', async () => {
    await using runtime = createRuntime();
    await runtime.register(taskAgent('worker'));
    const group = new TaskGroup('mixed', { runtime, agent: 'worker', maxConcurrent: 2 });
    for (let i = 0; i < 5; i++) group.addTask(`agent ${i}`, { prompt: `sleep:${5 * i}` });
    group.addTask('steps', { step: sequential([() => 1, async (n: number) => n + 1]) });
    group.spawnAll();
    const w = await watch(group);
    expectMonotone(w);
    expectAllEnded(w);
  });

  it('should rise monotonically over a loop ended early by its condition, then jump to 100', async () => {
    const pipeline = sequential([
      loop(async (n: number) => n + 1, { until: (n) => n >= 3, maxIterations: 10, name: 'count' }),
      (n: number) => n * 2,
    ]);
    const w = await watch(run(pipeline, 0));
    expect(w.result).toBe(6);
    expectMonotone(w);
    expectAllEnded(w);
    // Three of ten announced iterations are 30% of the loop (half the run): 15%, before its jump.
    expect(w.overall).toContain(15);
  });
});

describe('unfinished work', () => {
  it('should not read a task whose failed attempt will be retried as finished', async () => {
    await using runtime = createRuntime();
    const attempts = new Map<string, number>();
    await runtime.register(taskAgent('worker', new InFlight(), attempts));
    const group = new TaskGroup('retry', { runtime, agent: 'worker', backoff: { baseMs: 1, maxMs: 2 } });
    group.addTask('flaky once', { prompt: 'flaky:1', retries: 2 });
    const w = await watch(group.spawnAll());
    expect(attempts.get('flaky once')).toBe(2);
    const done = w.log.findIndex(
      (e) => e.kind === 'task.completed' && e.taskId === group.getResults().tasks[0]?.taskId,
    );
    expect(w.overall.slice(0, done).every((v) => v < 100)).toBe(true);
    expectMonotone(w);
    expect(w.final.subtasks[0]).toMatchObject({ status: 'completed', attempts: 2, progress: 100 });
  });

  it('should leave queued tasks queued when a TaskGroup is paused and resumed', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    await runtime.register(taskAgent('worker', flight), { instances: 3 });
    const group = new TaskGroup('pause', { runtime, agent: 'worker', maxConcurrent: 1 });
    for (const label of ['a', 'b', 'c']) group.addTask(label, { prompt: 'sleep:300' });
    const events: ProgressEvent[] = [];
    group.progress$.subscribe((e) => events.push(e));
    group.spawnAll();
    await vi.waitFor(() => expect(flight.now).toBe(1), WAIT);
    group.pause();
    group.resume();
    const now = events.reduce(reduceProgress, initialProgress());
    expect(now.subtasks.map((t) => [t.name, t.status])).toEqual([
      ['a', 'running'],
      ['b', 'queued'],
      ['c', 'queued'],
    ]);
    expect(group.getResults().tasks.map((t) => t.status)).toEqual(['running', 'pending', 'pending']);
    expect(events.filter((e) => e.kind === 'task.paused' || e.kind === 'task.resumed').length).toBe(2);
    await group.waitForCompletion();
  });

  it('should leave the steps a paused sequence has not reached pending', async () => {
    let started = 0;
    const slow = step(
      async (n: number, ctx) => {
        started += 1;
        await pause(100, ctx.signal);
        return n;
      },
      { name: 'slow' },
    );
    const handle = run(sequential([slow, slow, slow]), 0);
    const events: ProgressEvent[] = [];
    handle.progress$.subscribe((e) => events.push(e));
    await vi.waitFor(() => expect(started).toBe(1), WAIT);
    handle.pause();
    const paused = events.reduce(reduceProgress, initialProgress());
    expect(paused.status).toBe('paused');
    expect(paused.subtasks[0]?.subtasks.map((t) => t.status)).toEqual(['paused', 'pending', 'pending']);
    handle.resume();
    const resumed = events.reduce(reduceProgress, initialProgress());
    expect(resumed.subtasks[0]?.subtasks.map((t) => t.status)).toEqual(['running', 'pending', 'pending']);
    await handle.result;
  });
});

describe('the end of a run', () => {
  it('should report every failFast sibling ended before the parallel rejects and run.finished', async () => {
    await using runtime = createRuntime();
    await runtime.register(slowAgent('test.slow', new InFlight()), { instances: 2 });
    const agent = agentStep(runtime.ref({ type: 'test.slow' }), () => Work.create({ ms: 10_000 }), {
      name: 'agent',
    });
    const slow = step((_: number, ctx) => pause(10_000, ctx.signal), { name: 'slow' });
    const deaf = step(() => new Promise<never>(() => {}), { name: 'deaf' }); // ignores its signal
    const failing = step(
      async () => {
        await pause(20);
        throw new Error('boom');
      },
      { name: 'failing' },
    );
    const handle = run(parallel([slow, agent, deaf, failing], { failFast: true, name: 'fan' }), 0, {
      runtime,
    });
    const w = await watch(handle);
    expect(w.result).toMatchObject({ code: 'STEP_FAILED', step: 'failing' });
    expectAllEnded(w);
    // Every sibling (and the agent's own task) reported before the parallel itself failed.
    const fanId = w.log.find((e) => e.kind === 'task.started' && e.name === 'fan')?.taskId;
    const fanEnd = w.log.findIndex((e) => e.kind === 'task.failed' && e.taskId === fanId);
    const beforeFanEnd = w.log.slice(0, fanEnd).reduce(reduceProgress, initialProgress());
    expect(open(beforeFanEnd).map((t) => t.name)).toEqual(['fan']);
    const statuses = Object.fromEntries(all(w.final.subtasks).map((t) => [t.name, t.status]));
    expect(statuses).toMatchObject({
      slow: 'cancelled',
      agent: 'cancelled',
      deaf: 'cancelled',
      failing: 'failed',
    });
  });

  it('should end a task its step left running (not awaited) before run.finished', async () => {
    const hang = step((_: number, ctx) => pause(500, ctx.signal), { name: 'orphan' });
    const careless = step(
      (n: number, ctx) => {
        ctx.run(hang, n).catch(() => {});
        return n;
      },
      { name: 'careless' },
    );
    const w = await watch(run(careless, 1));
    expect(w.result).toBe(1);
    expectAllEnded(w);
    expect(all(w.final.subtasks).find((t) => t.name === 'orphan')?.status).toBe('cancelled');
  });

  it('should end the tasks a failing dag started or never reached before the run finishes', async () => {
    const graph = dag({
      long: (_: null, ctx) => pause(10_000, ctx.signal),
      deaf: () => new Promise<never>(() => {}),
      bad: async () => {
        await pause(10);
        throw new Error('bad node');
      },
      after: { deps: ['bad'], step: () => 'never' },
    });
    const w = await watch(run(graph, null));
    expect(w.result).toMatchObject({ code: 'STEP_FAILED', step: 'bad' });
    expectAllEnded(w);
  });
});

describe('what a snapshot carries', () => {
  it('should carry the run description, bounded result previews and start and end times', async () => {
    const long = step(() => 'x'.repeat(10_000), { name: 'long' });
    const small = step(() => ({ ok: true, n: [1, 2] }), { name: 'small' });
    const w = await watch(
      run(parallel([long, small], { failFast: true }), null, {
        name: 'fields',
        description: 'what it is for',
      }),
    );
    expect(w.final).toMatchObject({ name: 'fields', description: 'what it is for', status: 'completed' });
    const cards = Object.fromEntries(all(w.final.subtasks).map((t) => [t.name, t]));
    expect(cards.small?.result).toEqual({ ok: true, n: [1, 2] });
    const preview = cards.long?.result as string;
    expect(preview).toHaveLength(256);
    expect(preview.endsWith('…')).toBe(true);
    for (const t of all(w.final.subtasks)) {
      expect(t.startedAt).toBeGreaterThanOrEqual(w.final.startedAt as number);
      expect(t.finishedAt).toBeGreaterThanOrEqual(t.startedAt as number);
      expect(w.final.finishedAt).toBeGreaterThanOrEqual(t.finishedAt as number);
    }
  });

  it('should track a 50,000-way fan-out without a cost per event that grows with the width', {
    timeout: 120_000,
  }, async () => {
    // Before the ledger, each event copied the child list and scanned the running tasks: a
    // 8,000-way fan-out took 13–18 s, so this one would take minutes.
    const width = 50_000;
    const handle = run(
      parallel(
        Array.from({ length: width }, () => (n: number) => n),
        { failFast: true },
      ),
      1,
    );
    let snapshots = 0;
    const last = lastValueFrom(trackProgress(handle.progress$).pipe(toArray()));
    const started = performance.now();
    await handle.result;
    const all = await last;
    snapshots = all.length;
    const ms = performance.now() - started;
    expect(all.at(-1)).toMatchObject({ status: 'completed', overallProgress: 100 });
    expect(all.at(-1)?.subtasks[0]?.subtasks).toHaveLength(width);
    expect(ms).toBeLessThan(60_000);
    // Snapshots are batched: far fewer than the 200,000 events.
    expect(snapshots).toBeLessThan(width);
  });
});
