import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  ClosedError,
  createRuntime,
  defineAgent,
  defineMessage,
  HandlerError,
  on,
  type Runtime,
  TimeoutError,
  TransportError,
  ValidationError,
} from '@troupe/core';
import { type NatsServer, natsSuite, startNatsServer } from '@troupe/testing';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createDispatcher } from '../src/durable/Dispatcher.js';
import { type DurableWorkerOptions, startDurableWorker } from '../src/durable/DurableWorker.js';
import { deadLetterSubjectFor, taskSubject, tasksStreamName } from '../src/durable/names.js';
import type { DeadLetter, TaskResult } from '../src/durable/taskRecord.js';

const Work = defineMessage('job.work', z.object({ n: z.number(), mode: z.string().default('ok') }));
const decoder = new TextDecoder();

/** An agent whose behaviour each task picks: succeed, fail for good, fail retryably, or sleep. */
function jobAgent(calls: Map<number, number>) {
  return defineAgent({
    type: 'job',
    handles: {
      [Work.type]: on(Work, async ({ n, mode }, ctx) => {
        const call = (calls.get(n) ?? 0) + 1;
        calls.set(n, call);
        if (mode === 'fatal') throw new Error(`fatal ${n}`);
        if (mode === 'flaky' && call < 2) throw new TransportError('flaky');
        if (mode === 'poison') throw new TransportError(`poison ${n}`);
        if (mode === 'slow') await sleep(60_000, undefined, { signal: ctx.signal });
        if (mode === 'bigint') return BigInt(n);
        return n * 2;
      }),
    },
  });
}

natsSuite('durable dispatch', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let seq = 0;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.close();
  });

  /** A namespace of its own, a runtime hosting the job agent, a worker and a dispatcher. */
  async function setup(workerOptions: Partial<DurableWorkerOptions> = {}) {
    const namespace = `d${++seq}`;
    const calls = new Map<number, number>();
    const runtime: Runtime = createRuntime({ namespace });
    await runtime.register(jobAgent(calls), { instances: 4 });
    const worker = await startDurableWorker({
      nc,
      runtime,
      ackWaitMs: 2_000,
      maxDeliver: 3,
      ...workerOptions,
    });
    const dispatcher = await createDispatcher({ nc, namespace });
    return {
      namespace,
      calls,
      runtime,
      worker,
      dispatcher,
      async [Symbol.asyncDispose]() {
        await dispatcher.close();
        await worker.close({ timeout: 1_000 });
        await runtime.close();
      },
    };
  }

  const job = (n: number, mode = 'ok') => ({ to: { type: 'job' }, message: Work.create({ n, mode }) });

  /**
   * Replaces `t`'s worker with one on a connection of its own that takes the task `n` and then
   * vanishes mid-task without acking it (after `beforeVanish`, if given). Resolves to the task id.
   */
  async function loseTaskWithItsWorker(
    t: Awaited<ReturnType<typeof setup>>,
    n: number,
    maxDeliver: number,
    beforeVanish?: (taskId: string) => Promise<void>,
  ): Promise<string> {
    const lostNc = await connect({ servers: server.url });
    const lostRuntime = createRuntime({ namespace: t.namespace });
    await lostRuntime.register(jobAgent(new Map()));
    await t.worker.close();
    const lost = await startDurableWorker({ nc: lostNc, runtime: lostRuntime, ackWaitMs: 2_000, maxDeliver });
    const taskId = await t.dispatcher.dispatch(job(n, 'slow'));
    await expect.poll(() => lost.stats().inFlight, { timeout: 10_000 }).toBe(1);
    await beforeVanish?.(taskId);
    await lostNc.close();
    await lost.close({ timeout: 10 });
    await lostRuntime.close();
    return taskId;
  }

  it('should run a dispatched task and return its value', async () => {
    await using t = await setup();
    const taskId = await t.dispatcher.dispatch({ ...job(21), runId: 'run-1' });
    expect(await t.dispatcher.result(taskId, { timeout: 10_000 })).toBe(42);
    const outcome = await t.dispatcher.peek(taskId);
    expect(outcome).toMatchObject({ ok: true, value: 42, taskId, runId: 'run-1', deliveries: 1 });
    expect(outcome?.worker).toBe(t.worker.id);
  });

  it('should run many tasks and record each once', async () => {
    await using t = await setup();
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => t.dispatcher.dispatch(job(i))));
    const values = await Promise.all(ids.map((id) => t.dispatcher.result(id, { timeout: 20_000 })));
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    expect(await t.dispatcher.results.keys()).toHaveLength(200);
    expect(t.worker.stats()).toMatchObject({ recorded: 200, inFlight: 0 });
  });

  it('should queue a re-dispatched task id once', async () => {
    await using t = await setup();
    const first = await t.dispatcher.dispatch({ taskId: 'same-task', ...job(5) });
    const second = await t.dispatcher.dispatch({ taskId: 'same-task', ...job(5) });
    expect(second).toBe(first);
    expect(await t.dispatcher.result('same-task', { timeout: 10_000 })).toBe(10);
    // Not a wait-and-see: the work-queue stream stored one message in all (a second enqueue would be sequence
    // 2) and holds none now (acked), so no second delivery of it can still come.
    const jsm = await jetstreamManager(nc);
    await expect
      .poll(async () => (await jsm.streams.info(tasksStreamName(t.namespace))).state, { timeout: 10_000 })
      .toMatchObject({ last_seq: 1, messages: 0 });
    expect(t.calls.get(5)).toBe(1);
  });

  it('should ack and skip a redelivered task whose result is already recorded', async () => {
    await using t = await setup();
    // A worker takes the task and vanishes without acking it, after its result was stored
    // (it died between storing and acking).
    const taskId = await loseTaskWithItsWorker(t, 7, 3, async (taskId) => {
      const stored: TaskResult = {
        taskId,
        ok: true,
        value: 'stored',
        deliveries: 1,
        worker: 'lost',
        finishedAt: 1,
      };
      await t.dispatcher.results.setIfAbsent(taskId, stored);
    });

    const calls = new Map<number, number>();
    const runtime = createRuntime({ namespace: t.namespace });
    await runtime.register(jobAgent(calls));
    await using next = await startDurableWorker({ nc, runtime, ackWaitMs: 2_000, maxDeliver: 3 });
    try {
      await expect.poll(() => next.stats().duplicates, { timeout: 10_000 }).toBe(1);
      expect(calls.has(7)).toBe(false);
      expect(await t.dispatcher.result(taskId)).toBe('stored');
    } finally {
      await runtime.close();
    }
  });

  it('should record once when a task id is dispatched again after its result exists', async () => {
    await using t = await setup();
    const recorded: TaskResult = {
      taskId: 'done-before',
      ok: true,
      value: 'old',
      deliveries: 1,
      worker: 'x',
      finishedAt: 1,
    };
    await t.dispatcher.results.setIfAbsent('done-before', recorded);
    await t.dispatcher.dispatch({ taskId: 'done-before', ...job(7) });
    await expect.poll(() => t.worker.stats().duplicates, { timeout: 10_000 }).toBe(1);
    expect(await t.dispatcher.result('done-before')).toBe('old');
    expect(t.worker.stats().recorded).toBe(0);
  });

  it('should record a non-retryable failure at once, as a typed error', async () => {
    await using t = await setup();
    const taskId = await t.dispatcher.dispatch(job(1, 'fatal'));
    const error = await t.dispatcher.result(taskId, { timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandlerError);
    expect((error as HandlerError).message).toBe('fatal 1');
    expect(t.calls.get(1)).toBe(1);
    expect(await t.dispatcher.peek(taskId)).toMatchObject({ ok: false, deadLettered: false });
  });

  it('should retry a retryable failure on the next delivery', async () => {
    await using t = await setup();
    const taskId = await t.dispatcher.dispatch(job(3, 'flaky'));
    expect(await t.dispatcher.result(taskId, { timeout: 10_000 })).toBe(6);
    expect(await t.dispatcher.peek(taskId)).toMatchObject({ ok: true, deliveries: 2 });
  });

  it('should dead-letter a task failing on every allowed delivery and reject its waiters typed', async () => {
    await using t = await setup();
    const letters: DeadLetter[] = [];
    const sub = nc.subscribe(deadLetterSubjectFor(t.namespace), {
      callback: (_err, msg) => {
        letters.push(JSON.parse(decoder.decode(msg.data)) as DeadLetter);
      },
    });
    try {
      const taskId = await t.dispatcher.dispatch(job(9, 'poison'));
      const error = await t.dispatcher.result(taskId, { timeout: 20_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toBe('poison 9');
      expect(t.calls.get(9)).toBe(3);
      await expect.poll(() => letters.length).toBe(1);
      expect(letters[0]).toMatchObject({
        taskId,
        deliveries: 3,
        reason: { code: 'TRANSPORT', message: 'poison 9' },
      });
      expect(await t.dispatcher.peek(taskId)).toMatchObject({ ok: false, deadLettered: true, deliveries: 3 });
    } finally {
      sub.unsubscribe();
    }
  });

  it('should dead-letter an invalid payload on its first delivery with a ValidationError', async () => {
    await using t = await setup();
    const taskId = await t.dispatcher.dispatch({
      to: { type: 'job' },
      message: { type: Work.type, payload: { n: 'x' } },
    });
    const error = await t.dispatcher.result(taskId, { timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('payload.n');
    expect(await t.dispatcher.peek(taskId)).toMatchObject({ deadLettered: true, deliveries: 1 });
  });

  it('should dead-letter a task whose value cannot be stored (a BigInt) instead of retrying forever', async () => {
    await using t = await setup();
    const taskId = await t.dispatcher.dispatch({
      to: { type: 'job' },
      message: Work.create({ n: 7, mode: 'bigint' }),
    });
    const error = await t.dispatcher.result(taskId, { timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('not JSON-serializable');
    expect(await t.dispatcher.peek(taskId)).toMatchObject({ deadLettered: true, deliveries: 1 });
    await vi.waitFor(() => expect(t.worker.stats().inFlight).toBe(0));
  });

  it('should let dispatches already sent finish when the dispatcher closes, then refuse with ClosedError', async () => {
    await using t = await setup();
    const sent = [1, 2, 3].map((n) =>
      t.dispatcher.dispatch({ to: { type: 'job' }, message: Work.create({ n }) }),
    );
    await t.dispatcher.close();
    const ids = await Promise.all(sent);
    expect(ids).toHaveLength(3);
    await expect(
      t.dispatcher.dispatch({ to: { type: 'job' }, message: Work.create({ n: 4 }) }),
    ).rejects.toBeInstanceOf(ClosedError);
  });

  it('should refuse at dispatch what a worker would refuse, naming the field, and bad worker options', async () => {
    await using t = await setup();
    const message = Work.create({ n: 1 });
    const to = { type: 'job' };
    const cases: Array<[Parameters<typeof t.dispatcher.dispatch>[0], string]> = [
      [{ to, message, timeout: 0 }, 'timeout'],
      [{ to, message, timeout: Number.NaN }, 'timeout'],
      [{ to, message, runId: 'r'.repeat(129) }, 'runId'],
      [{ to, message: { type: '', payload: {} } }, 'message.type'],
      [{ to: { type: 'job', key: 'a b' }, message }, 'to.key'],
      [{ to, message: { type: Work.type, payload: { n: BigInt(1) } } }, 'message.payload'],
    ];
    for (const [input, path] of cases) {
      const error = await t.dispatcher.dispatch(input).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path, path).toBe(path);
    }
    // Infinity is no bound; a fractional timeout is rounded up.
    const free = await t.dispatcher.dispatch({ to, message, timeout: Number.POSITIVE_INFINITY });
    const rounded = await t.dispatcher.dispatch({ to, message: Work.create({ n: 2 }), timeout: 1_500.5 });
    expect(await t.dispatcher.result(free, { timeout: 10_000 })).toBe(2);
    expect(await t.dispatcher.result(rounded, { timeout: 10_000 })).toBe(4);
    for (const bad of [
      { concurrency: Number.NaN },
      { maxDeliver: 0 },
      { ackWaitMs: -1 },
      { maxHandbacks: 1.5 },
    ]) {
      await expect(
        startDurableWorker({ nc, runtime: t.runtime, ...bad }),
        JSON.stringify(bad),
      ).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('should dead-letter a task that is not a task at all', async () => {
    await using t = await setup();
    await jetstream(nc).publish(taskSubject(t.namespace, 'job'), new TextEncoder().encode('{nope'), {
      msgID: 'garbage-1',
    });
    const error = await t.dispatcher.result('garbage-1', { timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
  });

  it('should time out or abort a wait without a result', async () => {
    await using t = await setup();
    await expect(t.dispatcher.result('never-dispatched', { timeout: 200 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    const controller = new AbortController();
    const waiting = t.dispatcher.result('never-dispatched', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('should find the recorded result of a task id re-dispatched after the duplicate window', async () => {
    const namespace = `d${++seq}`;
    const stream = { duplicateWindowMs: 500 };
    const runtime = createRuntime({ namespace });
    await runtime.register(jobAgent(new Map()));
    const worker = await startDurableWorker({ nc, runtime, stream });
    // A poll far beyond the wait below: only the watch or the wait's own read can answer it.
    const dispatcher = await createDispatcher({ nc, namespace, stream, pollMs: 600_000 });
    try {
      await dispatcher.dispatch({ taskId: 'again', ...job(7) });
      expect(await dispatcher.result('again', { timeout: 10_000 })).toBe(14);
      await sleep(1_000); // past the duplicate window: the second dispatch is queued anew
      await dispatcher.dispatch({ taskId: 'again', ...job(7) });
      expect(await dispatcher.result('again', { timeout: 4_000 })).toBe(14);
    } finally {
      await dispatcher.close();
      await worker.close({ timeout: 1_000 });
      await runtime.close();
    }
  });

  it('should refuse bad wait timeouts and keep long ones pending', async () => {
    await using t = await setup();
    for (const timeout of [0, -1, Number.NaN, '5' as unknown as number]) {
      await expect(t.dispatcher.outcome('never-dispatched', { timeout })).rejects.toThrow(ValidationError);
      await expect(t.dispatcher.result('never-dispatched', { timeout })).rejects.toThrow(/timeout/);
    }
    for (const timeout of [Number.POSITIVE_INFINITY, 2 ** 31, 1e12]) {
      const controller = new AbortController();
      const waiting = t.dispatcher.outcome('never-dispatched', { timeout, signal: controller.signal });
      const settled = await Promise.race([
        waiting.then(
          () => 'settled',
          () => 'settled',
        ),
        sleep(300, 'pending'),
      ]);
      expect(settled).toBe('pending');
      controller.abort(new Error('stop'));
      await expect(waiting).rejects.toThrow('stop');
    }
  });

  it('should reject a wait racing close() with ClosedError instead of hanging', async () => {
    const namespace = `d${++seq}`;
    const dispatcher = await createDispatcher({ nc, namespace });
    // The first wait opens the results watch; close() runs while it is still opening.
    const waiting = dispatcher.outcome('never-dispatched');
    await dispatcher.close();
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
    await expect(dispatcher.outcome('never-dispatched')).rejects.toBeInstanceOf(ClosedError);
  });

  it('should leave abandoned in-flight tasks for another worker at shutdown', async () => {
    await using t = await setup({ concurrency: 2 });
    const taskId = await t.dispatcher.dispatch(job(11, 'slow'));
    await expect.poll(() => t.worker.stats().inFlight, { timeout: 10_000 }).toBe(1);
    await t.worker.close({ timeout: 100 });
    expect(t.worker.stats()).toMatchObject({ abandoned: 1, recorded: 0 });
    expect(await t.dispatcher.peek(taskId)).toBeUndefined();
    // A replacement worker whose agent answers at once picks the same task up.
    const runtime = createRuntime({ namespace: t.namespace });
    const fast = defineAgent({ type: 'job', handles: { [Work.type]: on(Work, ({ n }) => n * 2) } });
    await runtime.register(fast);
    await using replacement = await startDurableWorker({ nc, runtime, ackWaitMs: 2_000, maxDeliver: 3 });
    try {
      expect(await t.dispatcher.result(taskId, { timeout: 10_000 })).toBe(22);
      expect(replacement.stats().recorded).toBe(1);
    } finally {
      await runtime.close();
    }
  });

  it('should dead-letter a task whose last allowed delivery was lost with its worker', async () => {
    await using t = await setup({ maxDeliver: 1 });
    // A second worker on a connection of its own, which then vanishes mid-task without a word.
    const taskId = await loseTaskWithItsWorker(t, 12, 1);

    const runtime = createRuntime({ namespace: t.namespace });
    await runtime.register(jobAgent(new Map()));
    await using next = await startDurableWorker({ nc, runtime, ackWaitMs: 2_000, maxDeliver: 1 });
    try {
      const outcome = await t.dispatcher.outcome(taskId, { timeout: 10_000 });
      expect(outcome).toMatchObject({
        ok: false,
        deadLettered: true,
        deliveries: 1,
        error: { code: 'MAX_DELIVERIES' },
      });
      expect(next.stats()).toMatchObject({ executed: 0, deadLettered: 1 });
    } finally {
      await runtime.close();
    }
  });

  it('should never run more tasks at once than its concurrency', async () => {
    await using t = await setup({ concurrency: 3 });
    let peak = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, t.worker.stats().inFlight);
    }, 1);
    try {
      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) => t.dispatcher.dispatch(job(100 + i))),
      );
      await Promise.all(ids.map((id) => t.dispatcher.result(id, { timeout: 10_000 })));
    } finally {
      clearInterval(timer);
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('should stream results of one run', async () => {
    await using t = await setup();
    const controller = new AbortController();
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const result of t.dispatcher.watchResults({ runId: 'r2', signal: controller.signal })) {
        seen.push(result.ok ? result.value : undefined);
        if (seen.length === 2) controller.abort();
      }
    })();
    await t.dispatcher.dispatch({ ...job(1), runId: 'r1' });
    await t.dispatcher.dispatch({ ...job(2), runId: 'r2' });
    await t.dispatcher.dispatch({ ...job(3), runId: 'r2' });
    await reading;
    expect(seen.sort()).toEqual([4, 6]);
  });
});
