import {
  CancelledError,
  createRuntime,
  type ProgressEvent,
  TimeoutError,
  ValidationError,
} from '@troupe/core';
import { TaskGroup, type TaskRecord } from '@troupe/pipelines';
import { describe, expect, it, vi } from 'vitest';
import { InFlight, taskAgent, WAIT } from './support.js';

const fast = { baseMs: 1, maxMs: 5 };

describe('TaskGroup', () => {
  it('should retry retryable failures with backoff and count the attempts', async () => {
    await using runtime = createRuntime();
    const attempts = new Map<string, number>();
    await runtime.register(taskAgent('worker', new InFlight(), attempts));
    const events: ProgressEvent[] = [];
    const group = new TaskGroup('retries', { runtime, agent: 'worker', backoff: fast })
      .addTask('flaky twice', { prompt: 'flaky:2', retries: 3 })
      .addTask('flaky thrice, two retries', { prompt: 'flaky:3', retries: 2 });
    group.progress$.subscribe((e) => events.push(e));
    const results = await group.waitForCompletion();

    const [ok, exhausted] = results.tasks as [TaskRecord, TaskRecord];
    expect(ok).toMatchObject({ status: 'completed', attempts: 3 });
    expect(exhausted).toMatchObject({ status: 'failed', attempts: 3 });
    expect(exhausted.error).toMatchObject({
      code: 'FLAKY',
      message: 'flaky flaky thrice, two retries attempt 3',
    });
    const retrying = events.filter((e) => e.kind === 'task.retrying' && e.taskId === ok.taskId);
    expect(retrying.map((e) => (e.kind === 'task.retrying' ? e.attempt : 0))).toEqual([2, 3]);
  });

  it('should stop retrying at the first non-retryable error', async () => {
    await using runtime = createRuntime();
    const attempts = new Map<string, number>();
    await runtime.register(taskAgent('worker', new InFlight(), attempts));
    const results = await new TaskGroup('fatal', { runtime, agent: 'worker', retries: 5, backoff: fast })
      .addTask('fatal', { prompt: 'fatal' })
      .addTask('plain error', { prompt: 'fail:nope' })
      .waitForCompletion();
    expect(results.failed).toBe(2);
    expect(results.tasks.map((t) => t.attempts)).toEqual([1, 1]);
    expect(attempts.get('fatal')).toBe(1);
    expect(attempts.get('plain error')).toBe(1);
    expect(results.tasks[0]?.error).toMatchObject({ code: 'FATAL' });
  });

  it('should time out a task after its timeout and a group after the wait timeout', async () => {
    await using runtime = createRuntime();
    await runtime.register(taskAgent('worker'), { instances: 4 });
    const events: ProgressEvent[] = [];
    const group = new TaskGroup('timeouts', { runtime, agent: 'worker' })
      .addTask('slow task', { prompt: 'sleep:5000', timeout: 30 })
      .addTask('quick', { prompt: 'ok' })
      .addTask('slow group', { prompt: 'sleep:5000' });
    group.progress$.subscribe((e) => events.push(e));
    const results = await group.waitForCompletion({ timeout: 500 });

    expect(results.tasks.map((t) => [t.label, t.status])).toEqual([
      ['slow task', 'timed_out'],
      ['quick', 'completed'],
      ['slow group', 'timed_out'],
    ]);
    expect(results.timedOut).toBe(2);
    expect(results.tasks[0]?.error).toBeInstanceOf(TimeoutError);
    expect(results.tasks[2]?.error?.message).toMatch(/TaskGroup 'timeouts' timed out after 500 ms/);
    const timedOut = events.filter((e) => e.kind === 'task.timed_out').map((e) => e.taskId);
    expect(timedOut).toEqual(expect.arrayContaining([results.tasks[0]?.taskId, results.tasks[2]?.taskId]));
    expect(events.at(-1)).toMatchObject({ kind: 'run.finished', status: 'timed_out' });
  });

  it('should cancel: every running task signal aborts and pending tasks never start', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    await runtime.register(taskAgent('worker', flight), { instances: 8 });
    const group = new TaskGroup('cancel', { runtime, agent: 'worker', maxConcurrent: 3 });
    for (let i = 0; i < 6; i++) group.addTask(`t${i}`, { prompt: 'sleep:10000' });
    group.spawnAll();
    await vi.waitFor(() => expect(flight.now).toBe(3), WAIT);
    group.cancel('user changed their mind');
    const results = await group.waitForCompletion();
    expect(results.cancelled).toBe(6);
    expect(results.tasks.map((t) => t.attempts)).toEqual([1, 1, 1, 0, 0, 0]);
    for (const t of results.tasks) expect(t.error).toBeInstanceOf(CancelledError);
    expect(results.tasks[0]?.error?.message).toBe('user changed their mind');
    // The handlers saw their signals abort and left.
    await vi.waitFor(() => expect(flight.now).toBe(0), WAIT);
    expect(flight.max).toBe(3);
  });

  it('should stream results as they finish, by async iteration and by results$', async () => {
    await using runtime = createRuntime();
    await runtime.register(taskAgent('worker'), { instances: 3 });
    const group = new TaskGroup('stream', { runtime, agent: 'worker' })
      .addTask('slow', { prompt: 'sleep:400' })
      .addTask('fast', { prompt: 'ok' })
      .addTask('medium', { prompt: 'sleep:150' });
    const seen: string[] = [];
    group.results$.subscribe((r) => seen.push(r.label));
    group.spawnAll();
    const iterated: string[] = [];
    for await (const record of group) {
      iterated.push(`${record.label}:${record.status}`);
      expect(group.getResults().tasks.find((t) => t.label === record.label)?.status).toBe('completed');
    }
    expect(iterated).toEqual(['fast:completed', 'medium:completed', 'slow:completed']);
    expect(seen).toEqual(['fast', 'medium', 'slow']);
  });

  it('should pause (no new task starts) and resume', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    await runtime.register(taskAgent('worker', flight), { instances: 4 });
    const group = new TaskGroup('pause', { runtime, agent: 'worker', maxConcurrent: 1 });
    for (let i = 0; i < 3; i++) group.addTask(`t${i}`, { prompt: 'sleep:200' });
    group.spawnAll();
    await vi.waitFor(() => expect(flight.now).toBe(1), WAIT);
    group.pause();
    expect(group.status).toBe('paused');
    await vi.waitFor(() => expect(group.getProgress()).toBe('1/3'), WAIT);
    // The slot freed by t0 is not refilled while paused (the pump runs when t0 settles).
    expect(group.getResults().running).toBe(0);
    expect(group.getProgress()).toBe('1/3');
    group.resume();
    const results = await group.waitForCompletion();
    expect(results.completed).toBe(3);
  });

  it('should run plain step functions as tasks, with their timeout and signal', async () => {
    const signals: AbortSignal[] = [];
    const group = new TaskGroup('functions', { maxConcurrent: 2 })
      .addTask('double', { input: 21, step: ({ input }) => Number(input) * 2 })
      .addTask('hang', {
        timeout: 20,
        step: (_, ctx) => {
          signals.push(ctx.signal);
          return new Promise(() => {});
        },
      });
    const results = await group.waitForCompletion();
    expect(results.tasks.map((t) => [t.status, t.result])).toEqual([
      ['completed', 42],
      ['timed_out', undefined],
    ]);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('should count attempts started: one cancelled during its retry backoff is not counted', async () => {
    await using runtime = createRuntime();
    await runtime.register(taskAgent('worker'));
    const events: ProgressEvent[] = [];
    const group = new TaskGroup('backoff', {
      runtime,
      agent: 'worker',
      backoff: { baseMs: 60_000, jitter: 'none' },
    }).addTask('flaky', { prompt: 'flaky:1', retries: 3 });
    group.progress$.subscribe((e) => events.push(e));
    group.spawnAll();
    await vi.waitFor(() => expect(events.some((e) => e.kind === 'task.retrying')).toBe(true), WAIT);
    group.cancel('enough');
    const results = await group.waitForCompletion();
    expect(results.tasks[0]).toMatchObject({ status: 'cancelled', attempts: 1 });
    const retrying = events.find((e) => e.kind === 'task.retrying');
    expect(retrying).toMatchObject({ attempt: 2 });
    const starts = events.filter((e) => e.kind === 'task.started' && e.taskId === results.tasks[0]?.taskId);
    expect(starts.map((e) => (e.kind === 'task.started' ? e.attempt : 0))).toEqual([1]);
  });

  it('should spawn a group that is iterated without spawnAll, and yield every result', async () => {
    await using runtime = createRuntime();
    await runtime.register(taskAgent('worker'));
    const group = new TaskGroup('lazy', { runtime, agent: 'worker' }).addTask('a').addTask('b');
    const labels: string[] = [];
    for await (const record of group) labels.push(`${record.label}:${record.status}`);
    expect(labels.sort()).toEqual(['a:completed', 'b:completed']);
    expect(group.status).toBe('completed');
  });

  it('should run maxConcurrent agent tasks at once on an agent registered with one instance, each timeout from its start', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    await runtime.register(taskAgent('worker', flight)); // the default: one instance
    const group = new TaskGroup('four at once', { runtime, agent: 'worker', maxConcurrent: 4 });
    // Each task takes ~150 ms against a 1,000 ms timeout: queued on one instance, most would time out.
    for (let i = 0; i < 10; i++) group.addTask(`t${i}`, { prompt: 'sleep:150', timeout: 1_000 });
    const results = await group.waitForCompletion();
    expect(results.completed).toBe(10);
    expect(flight.max).toBe(4);
    expect(results.tasks.map((t) => t.agent)).toEqual(Array(10).fill('worker'));
  });

  it('should refuse a maxConcurrent that is not an integer >= 1 or Infinity', () => {
    for (const bad of [2.5, 0, -1, Number.NaN]) {
      expect(() => new TaskGroup('g', { maxConcurrent: bad }), String(bad)).toThrow(ValidationError);
    }
    expect(() => new TaskGroup('g', { maxConcurrent: 2.5 })).toThrow(/maxConcurrent must be an integer >= 1/);
    expect(() => new TaskGroup('g', { maxConcurrent: Number.POSITIVE_INFINITY })).not.toThrow();
    expect(() => new TaskGroup('g', { maxConcurrent: 3 })).not.toThrow();
  });

  it('should refuse agent tasks without a runtime or an agent, and duplicate labels', () => {
    expect(() => new TaskGroup('g').addTask('a', { agent: 'coder' })).toThrow(ValidationError);
    expect(() => new TaskGroup('g', { runtime: createRuntime() }).addTask('a', { prompt: 'x' })).toThrow(
      /no agent/,
    );
    const group = new TaskGroup('g').addTask('a', { step: () => 1 });
    expect(() => group.addTask('a', { step: () => 2 })).toThrow(/exists already/);
  });
});
