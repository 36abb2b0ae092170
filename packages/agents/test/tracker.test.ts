import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRuntime,
  FileStore,
  initialProgress,
  MemoryStore,
  type ProgressEvent,
  ProgressEventSchema,
  reduceProgress,
  type TaskProgress,
  ValidationError,
} from '@troupe/core';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  estimateRemaining,
  type Plan,
  ProgressGet,
  rebuildProgress,
  TrackEvents,
  TrackPlan,
  trackerAgent,
  trackerKeys,
  trackRun,
} from '../src/index.js';

const RUN = 'run-7';
const T0 = 1_700_000_000_000;
const sub = (id: string, estimatedSeconds: number, dependencies: string[] = []) => ({
  id,
  name: `step ${id}`,
  description: '',
  executor: 'worker',
  expectedOutput: '',
  estimatedSeconds,
  dependencies,
  tags: [],
});
const plan: Plan = {
  goal: 'ship it',
  subtasks: [sub('a', 60), sub('b', 120, ['a']), sub('c', 30, ['a']), sub('d', 60, ['b', 'c'])],
};

/** A recorded run: a and c finished at half their estimate, b is half way, d has not started. */
function recordedRun(): ProgressEvent[] {
  let seq = 0;
  const e = (at: number, event: Record<string, unknown>) =>
    ProgressEventSchema.parse({ runId: RUN, taskId: RUN, ts: T0 + at, seq: ++seq, ...event });
  return [
    e(0, { kind: 'run.started', name: 'ship it' }),
    ...['a', 'b', 'c', 'd'].map((id) => e(0, { kind: 'task.created', taskId: id, name: `step ${id}` })),
    e(0, { kind: 'task.started', taskId: 'a', agent: 'worker/1' }),
    e(30_000, { kind: 'task.completed', taskId: 'a', agent: 'worker/1' }),
    e(30_000, { kind: 'task.started', taskId: 'b', agent: 'worker/1' }),
    e(31_000, { kind: 'task.started', taskId: 'c', agent: 'worker/2' }),
    e(32_000, { kind: 'task.tool_call', taskId: 'c', tool: 'grep', callId: 'k1', status: 'started' }),
    e(33_000, { kind: 'task.tool_call', taskId: 'c', tool: 'grep', callId: 'k1', status: 'succeeded' }),
    e(40_000, { kind: 'task.tokens', taskId: 'b', input: 100, output: 20, model: 'scripted' }),
    e(46_000, { kind: 'task.completed', taskId: 'c', agent: 'worker/2' }),
    e(50_000, { kind: 'task.progress', taskId: 'b', agent: 'worker/1', percent: 50, step: 'writing' }),
  ];
}

/** What the tracker must answer after the recorded run. */
function expectSnapshot(p: TaskProgress): void {
  expect(p).toMatchObject({
    taskId: RUN,
    name: 'ship it',
    status: 'running',
    overallProgress: 62.5,
    executionDetails: {
      currentAgent: 'worker/1',
      currentStep: 'writing',
      elapsedTime: 50_000,
      // factor 45 s / 90 s = 0.5; b has 60 s × 0.5 − 20 s = 40 s left, then d 30 s: the critical path.
      estimatedRemaining: 70_000,
      tokensUsed: { input: 100, output: 20, total: 120 },
      toolCalls: [{ tool: 'grep', callId: 'k1', status: 'succeeded', taskId: 'c' }],
    },
  });
  expect(p.subtasks.map((t) => [t.taskId, t.status, t.progress])).toEqual([
    ['a', 'completed', 100],
    ['b', 'running', 50],
    ['c', 'completed', 100],
    ['d', 'pending', 0],
  ]);
}

async function feed(tracker: { ask(m: unknown, o?: unknown): Promise<unknown> }, events: ProgressEvent[]) {
  for (const batch of [events.slice(0, 5), events.slice(5, 9), events.slice(9)]) {
    await tracker.ask(TrackEvents.create({ runId: RUN, events: batch }));
  }
}

describe('estimateRemaining', () => {
  it('should scale the plan’s estimates by observed durations and take the critical path', () => {
    const progress = recordedRun().reduce(reduceProgress, initialProgress());
    expect(estimateRemaining(progress, plan, T0 + 50_000)).toBe(70_000);
    // Later, b has run past its scaled estimate: only d is left.
    expect(estimateRemaining(progress, plan, T0 + 95_000)).toBe(30_000);
    // Nothing observed yet: the plan's own numbers, a → b → d.
    expect(estimateRemaining(initialProgress(), plan, T0)).toBe(240_000);
  });
});

describe('trackerAgent', () => {
  it('should answer progress.get with the expected snapshot and rebuild it identically from its stored log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-tracker-'));
    try {
      const events = recordedRun();
      let live: TaskProgress;
      {
        await using store = await FileStore.open({ dir });
        await using runtime = createRuntime();
        await runtime.register(trackerAgent({ store }));
        const tracker = runtime.ref({ type: 'tracker', key: RUN });
        await tracker.ask(TrackPlan.create({ runId: RUN, plan }));
        await feed(tracker, events);
        live = (await tracker.ask(ProgressGet.create({ runId: RUN }))) as TaskProgress;
        expectSnapshot(live);
        // The same as core's reducer over the same events, plus the plan's estimate.
        const reduced = events.reduce(reduceProgress, initialProgress());
        expect(live).toEqual({
          ...reduced,
          executionDetails: { ...reduced.executionDetails, estimatedRemaining: 70_000 },
        });
        expect(await rebuildProgress(store, RUN)).toEqual(live);
        expect(await store.get(trackerKeys(RUN).snapshot)).toEqual(JSON.parse(JSON.stringify(live)));
        expect(await store.keys(trackerKeys(RUN).log)).toHaveLength(3);
      }
      // Another process, later: the log is all it has.
      await using store = await FileStore.open({ dir });
      expect(await rebuildProgress(store, RUN)).toEqual(live);
      await using runtime = createRuntime();
      await runtime.register(trackerAgent({ store }));
      const tracker = runtime.ref({ type: 'tracker', key: RUN });
      expect(await tracker.ask(ProgressGet.create({ runId: RUN }))).toEqual(live);
      // It carries on from there.
      const more = ProgressEventSchema.parse({
        kind: 'task.completed',
        runId: RUN,
        taskId: 'b',
        ts: T0 + 60_000,
        seq: 99,
      });
      await tracker.ask(TrackEvents.create({ runId: RUN, events: [more] }));
      const after = (await tracker.ask(ProgressGet.create({ runId: RUN }))) as TaskProgress;
      expect(after.executionDetails.estimatedRemaining).toBe(
        Math.round(60_000 * ((45_000 + 30_000) / 210_000)),
      );
      expect(await rebuildProgress(store, RUN)).toEqual(after);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('should reload a passivated run from the store', async () => {
    const store = new MemoryStore();
    await using runtime = createRuntime({ store: new MemoryStore() });
    await runtime.register(trackerAgent({ store, passivateAfterMs: 50 }));
    const tracker = runtime.ref({ type: 'tracker', key: RUN });
    await tracker.ask(TrackPlan.create({ runId: RUN, plan }));
    await feed(tracker, recordedRun());
    const before = await tracker.ask(ProgressGet.create({ runId: RUN }));
    await expect.poll(() => runtime.stats().instances, { timeout: 5_000 }).toBe(0);
    const after = (await tracker.ask(ProgressGet.create({ runId: RUN }))) as TaskProgress;
    expect(after).toEqual(before);
    expectSnapshot(after);
  });

  it('should refuse events of another run, and asks not addressed by run', async () => {
    await using runtime = createRuntime();
    await runtime.register(trackerAgent());
    const stray = { ...recordedRun()[0]!, runId: 'other' };
    await expect(
      runtime.ref({ type: 'tracker', key: RUN }).ask(TrackEvents.create({ runId: RUN, events: [stray] })),
    ).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'payload.events.0.runId' }] });
    await expect(
      runtime.ref({ type: 'tracker', key: 'other' }).ask(ProgressGet.create({ runId: RUN })),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('trackRun', () => {
  it('should feed one run’s events to its tracker, in order, in batches', async () => {
    const store = new MemoryStore();
    await using runtime = createRuntime();
    await runtime.register(trackerAgent({ store }));
    const events$ = new Subject<ProgressEvent>();
    const tracking = trackRun(events$, runtime.ref({ type: 'tracker', key: RUN }), {
      runId: RUN,
      maxBatch: 4,
    });
    const events = recordedRun();
    for (const e of events) {
      events$.next(e);
      events$.next({ ...e, runId: 'someone-else' });
    }
    await tracking.close();
    expect(tracking.delivered).toBe(events.length);
    const snapshot = (await runtime
      .ref({ type: 'tracker', key: RUN })
      .ask(ProgressGet.create({ runId: RUN }))) as TaskProgress;
    expect(snapshot).toEqual(events.reduce(reduceProgress, initialProgress()));
    const chunks = await store.keys(trackerKeys(RUN).log);
    // The first event goes at once; what arrives meanwhile is batched (at most 4 per ask).
    expect(chunks.length).toBeLessThan(events.length);
    expect((await Promise.all(chunks.map((k) => store.get<unknown[]>(k)))).flat()).toEqual(events);
  });

  it('should keep undelivered events and report the failure on flush', async () => {
    await using runtime = createRuntime();
    const events$ = new Subject<ProgressEvent>();
    const tracking = trackRun(events$, runtime.ref({ type: 'tracker', key: RUN }), {
      runId: RUN,
      timeout: 1_000,
    });
    events$.next(recordedRun()[0]!);
    await expect(tracking.flush()).rejects.toMatchObject({ code: 'NO_RESPONDERS' });
    await runtime.register(trackerAgent());
    await tracking.close();
    expect(tracking.delivered).toBe(1);
  });
});
