/**
 * The retry budget is for failures, with worker processes: a worker only receives tasks of the
 * types it hosts (a consumer per type), and a task handed back by a clean close is re-queued
 * without spending a delivery.
 */

import { connect } from '@nats-io/transport-node';
import { createDispatcher, type TaskResult } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { watchDeadLetters } from './support/deadLetters.js';
import { countExecutions, createExecLog } from './support/execLog.js';
import { FaultWork } from './support/faultJob.js';
import { WorkerPool } from './support/workerProcesses.js';

natsSuite('durable retry budget', () => {
  it('should give beta tasks only to the beta worker: none dead-lettered, each delivered once', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'types';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const dead = watchDeadLetters(nc, namespace);
      const letters = dead.letters;
      await pool.start({ url: server.url, namespace, types: ['alpha'], maxDeliver: 3 });
      await pool.start({ url: server.url, namespace, types: ['beta'], maxDeliver: 3 });
      const ids = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          dispatcher.dispatch({ to: { type: 'beta' }, message: FaultWork.create({ n }) }),
        ),
      );
      const outcomes = await Promise.all(ids.map((id) => dispatcher.outcome(id, { timeout: 60_000 })));
      expect(outcomes.map((o) => (o as TaskResult<number> & { ok: true }).value)).toEqual(
        Array.from({ length: 60 }, (_, n) => n * 2),
      );
      expect(outcomes.every((o) => o.ok && o.deliveries === 1)).toBe(true);
      const executions = await countExecutions(nc, namespace);
      expect(ids.map((id) => executions.get(id))).toEqual(ids.map(() => 1));
      expect(letters).toEqual([]);
      dead.stop();
    } finally {
      await nc.close();
    }
  });

  it('should not dead-letter a 10 s task handed back by three clean closes in a row', {
    timeout: 180_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'rolling';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const taskId = await dispatcher.dispatch({
        to: { type: 'fault.job' },
        message: FaultWork.create({ n: 21, ms: 10_000 }),
      });
      // Three workers in a row start it and close cleanly (SIGTERM: close gives it 2 s, then hands it back).
      for (let round = 1; round <= 3; round++) {
        const worker = await pool.start({ url: server.url, namespace, maxDeliver: 3, ackWaitMs: 5_000 });
        await expect
          .poll(async () => (await countExecutions(nc, namespace)).get(taskId) ?? 0, { timeout: 30_000 })
          .toBe(round);
        await worker.kill('SIGTERM');
      }
      await pool.start({ url: server.url, namespace, maxDeliver: 3, ackWaitMs: 5_000 });
      const outcome = await dispatcher.outcome(taskId, { timeout: 60_000 });
      // Never failed, so its first counted attempt produced the result.
      expect(outcome).toMatchObject({ ok: true, value: 42, deliveries: 1 });
      expect((await countExecutions(nc, namespace)).get(taskId)).toBe(4);
    } finally {
      await nc.close();
    }
  });
});
