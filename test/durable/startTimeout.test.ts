/**
 * "No worker hosts this type yet" waits bounded by the task's `startTimeout`, not by deliveries:
 * its dispatcher records `TimeoutError` once no worker took it in time, and a worker started
 * later never runs it. Real nats-server, real worker processes.
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createDispatcher, type TaskResult, tasksStreamName } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { watchDeadLetters } from './support/deadLetters.js';
import { countExecutions, createExecLog } from './support/execLog.js';
import { FaultWork } from './support/faultJob.js';
import { WorkerPool } from './support/workerProcesses.js';

async function queued(nc: NatsConnection, namespace: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(tasksStreamName(namespace))).state.messages;
}

natsSuite('durable start timeout', () => {
  it('should time out a task no worker hosts at its start timeout, never dead-letter or run it', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'unhosted';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const dead = watchDeadLetters(nc, namespace);
      const letters = dead.letters;
      for (const bad of [0, -1, Number.NaN]) {
        await expect(
          dispatcher.dispatch({
            to: { type: 'gamma' },
            message: FaultWork.create({ n: 0 }),
            startTimeout: bad,
          }),
        ).rejects.toMatchObject({ name: 'ValidationError' });
      }
      const started = performance.now();
      const taskId = await dispatcher.dispatch({
        to: { type: 'gamma' },
        message: FaultWork.create({ n: 1 }),
        startTimeout: 2_000,
      });
      // The waiter's own timeout is far longer: the answer comes from the recorded outcome.
      const outcome = await dispatcher.outcome(taskId, { timeout: 60_000 });
      const waited = performance.now() - started;
      expect(outcome).toMatchObject({ ok: false, deadLettered: false, deliveries: 0 });
      expect((outcome as TaskResult & { ok: false }).error.code).toBe('TIMEOUT');
      await expect(dispatcher.result(taskId)).rejects.toMatchObject({ name: 'TimeoutError' });
      // About 2 s: never before the bound, and well before the waiter's own 60 s (generous for a loaded machine).
      expect(waited).toBeGreaterThanOrEqual(1_950);
      expect(waited).toBeLessThan(20_000);
      expect(await queued(nc, namespace)).toBe(0);

      // A worker for the type starts afterwards: it runs a fresh task but never the timed-out one.
      await pool.start({ url: server.url, namespace, types: ['gamma'] });
      const later = await dispatcher.dispatch({ to: { type: 'gamma' }, message: FaultWork.create({ n: 2 }) });
      await expect(dispatcher.result(later, { timeout: 60_000 })).resolves.toBe(4);
      const executions = await countExecutions(nc, namespace);
      expect(executions.get(taskId)).toBeUndefined();
      expect(executions.get(later)).toBe(1);
      await expect.poll(() => queued(nc, namespace), { timeout: 30_000 }).toBe(0);
      expect((await dispatcher.peek(taskId))?.worker).toBe('dispatcher');
      expect(letters).toEqual([]);
      dead.stop();
    } finally {
      await nc.close();
    }
  });

  it('should run a task a worker took in time to its end, past its start timeout', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'taken';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      await pool.start({ url: server.url, namespace, types: ['gamma'] });
      // Runs 5 s, far past its 1 s start timeout: taken in time, so it is not cut.
      const taskId = await dispatcher.dispatch({
        to: { type: 'gamma' },
        message: FaultWork.create({ n: 5, ms: 5_000 }),
        startTimeout: 1_000,
      });
      const outcome = await dispatcher.outcome(taskId, { timeout: 60_000 });
      expect(outcome).toMatchObject({ ok: true, value: 10, deliveries: 1 });
      expect((await countExecutions(nc, namespace)).get(taskId)).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('should ack without running a task whose outcome was recorded before a worker took it', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'recorded';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const taskId = await dispatcher.dispatch({
        to: { type: 'gamma' },
        message: FaultWork.create({ n: 3 }),
        startTimeout: 600_000,
      });
      // As if its dispatcher had recorded the timeout but not removed it from the queue.
      const recorded: TaskResult = {
        taskId,
        ok: false,
        error: { code: 'TIMEOUT', name: 'TimeoutError', message: 'not taken in time', retryable: true },
        deadLettered: false,
        deliveries: 0,
        worker: 'dispatcher',
        finishedAt: Date.now(),
      };
      expect(await dispatcher.results.setIfAbsent(taskId, recorded)).toBe(true);
      expect(await queued(nc, namespace)).toBe(1);
      await pool.start({ url: server.url, namespace, types: ['gamma'] });
      await expect.poll(() => queued(nc, namespace), { timeout: 30_000 }).toBe(0);
      expect((await countExecutions(nc, namespace)).get(taskId)).toBeUndefined();
      expect(await dispatcher.peek(taskId)).toEqual(recorded);
    } finally {
      await nc.close();
    }
  });
});
