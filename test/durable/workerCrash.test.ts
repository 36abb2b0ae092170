import { createDispatcher } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { connect } from 'nats';
import { expect, it } from 'vitest';
import { countExecutions, createExecLog } from './support/execLog.js';
import { bucketWrites, collect, dispatchJobs, streamMessages, until } from './support/scenario.js';
import { WorkerPool } from './support/workerProcesses.js';

const TASKS = 1_000;

natsSuite('durable dispatch when a worker process is killed', () => {
  it('should record each of 1000 tasks exactly once and lose none', { timeout: 120_000 }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const namespace = 'crash';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const settings = { url: server.url, namespace, concurrency: 4, workMs: 40, ackWaitMs: 2_000 };
      const [victim] = await Promise.all([pool.start(settings), pool.start(settings), pool.start(settings)]);

      const ids = await dispatchJobs(dispatcher, TASKS);
      const results = collect(dispatcher, ids);
      await until(() => results.done() >= 150);
      await victim?.kill('SIGKILL');
      const doneAtKill = results.done();
      await pool.start(settings);

      const values = await results.all;
      expect(doneAtKill).toBeLessThan(TASKS);
      expect(values).toEqual(ids.map((_, i) => i * 2));
      expect(await dispatcher.results.keys()).toHaveLength(TASKS);
      // History 1 and one stream message per write: 1000 writes in all means no result was written twice.
      expect(await bucketWrites(nc, dispatcher.results.bucket)).toEqual({ messages: TASKS, lastSeq: TASKS });
      await expect.poll(() => streamMessages(nc, 'TROUPE_CRASH_TASKS'), { timeout: 10_000 }).toBe(0);

      const executions = await countExecutions(nc, namespace);
      expect(ids.every((id) => (executions.get(id) ?? 0) >= 1)).toBe(true);
      const twice = ids.filter((id) => (executions.get(id) ?? 0) > 1).length;
      console.log(
        `worker crash: ${doneAtKill} results before the kill; ${twice} of ${TASKS} tasks executed more than once, each recorded once`,
      );
    } finally {
      await nc.close();
    }
  });
});
