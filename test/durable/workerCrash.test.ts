import { connect } from '@nats-io/transport-node';
import { createDispatcher } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { countExecutions, createExecLog } from './support/execLog.js';
import { bucketWrites, collect, dispatchJobs, streamMessages } from './support/scenario.js';
import { WorkerPool } from './support/workerProcesses.js';

const TASKS = 1_000;
const VICTIM_SLOTS = 4;

natsSuite('durable dispatch when a worker process is killed', () => {
  it('should redeliver what the dead worker held, and record each of 1000 tasks exactly once', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const namespace = 'crash';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const settings = { url: server.url, namespace, concurrency: 4, workMs: 40, ackWaitMs: 2_000 };
      // The victim starts alone and never finishes a task: whatever it takes, it still holds when killed.
      const victim = await pool.start({ ...settings, concurrency: VICTIM_SLOTS, workMs: 600_000 });
      const ids = await dispatchJobs(dispatcher, TASKS);
      const results = collect(dispatcher, ids);
      await expect
        .poll(async () => (await countExecutions(nc, namespace)).size, { timeout: 30_000 })
        .toBe(VICTIM_SLOTS);
      const held = [...(await countExecutions(nc, namespace)).keys()];

      await Promise.all([pool.start(settings), pool.start(settings)]);
      await expect.poll(() => results.done(), { timeout: 60_000 }).toBeGreaterThanOrEqual(150);
      await victim.kill('SIGKILL');
      const doneAtKill = results.done();
      await pool.start(settings);

      const values = await results.all;
      expect(doneAtKill).toBeLessThan(TASKS);
      expect(values).toEqual(ids.map((_, i) => i * 2));
      expect(await dispatcher.results.keys()).toHaveLength(TASKS);
      // History 1 and one stream message per write: 1000 writes in all means no result was written twice.
      expect(await bucketWrites(nc, dispatcher.results.bucket)).toEqual({ messages: TASKS, lastSeq: TASKS });
      await expect.poll(() => streamMessages(nc, 'TROUPE_CRASH_TASKS'), { timeout: 10_000 }).toBe(0);

      // What the victim held came back: delivered again, run again elsewhere, recorded by that delivery.
      const executions = await countExecutions(nc, namespace);
      for (const id of held) {
        expect(executions.get(id), id).toBeGreaterThanOrEqual(2);
        expect((await dispatcher.peek(id))?.deliveries, id).toBeGreaterThanOrEqual(2);
      }
      expect(ids.every((id) => (executions.get(id) ?? 0) >= 1)).toBe(true);
    } finally {
      await nc.close();
    }
  });
});
