import { createDispatcher } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { connect } from 'nats';
import { expect, it } from 'vitest';
import { countExecutions, createExecLog } from './support/execLog.js';
import { bucketWrites, collect, dispatchJobs, streamMessages, until } from './support/scenario.js';
import { WorkerPool } from './support/workerProcesses.js';

const FIRST = 600;
const SECOND = 400;

natsSuite('durable dispatch when nats-server restarts', () => {
  it('should complete the run with nothing lost and each result recorded once', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const namespace = 'restart';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const settings = { url: server.url, namespace, concurrency: 4, workMs: 30, ackWaitMs: 2_000 };
      await Promise.all([pool.start(settings), pool.start(settings), pool.start(settings)]);

      const firstIds = await dispatchJobs(dispatcher, FIRST);
      const first = collect(dispatcher, firstIds);
      await until(() => first.done() >= 100);
      // The second half is dispatched while the server goes down and comes back: dispatch retries.
      const atRestart = first.done();
      const restarted = server.restart().then(() => first.done());
      const [afterRestart, secondIds] = await Promise.all([
        restarted,
        dispatchJobs(dispatcher, SECOND, FIRST),
      ]);
      const second = collect(dispatcher, secondIds);

      const ids = [...firstIds, ...secondIds];
      expect(new Set(ids).size).toBe(FIRST + SECOND);
      expect([...(await first.all), ...(await second.all)]).toEqual(ids.map((_, i) => i * 2));
      expect(await dispatcher.results.keys()).toHaveLength(ids.length);
      expect(await bucketWrites(nc, dispatcher.results.bucket)).toEqual({
        messages: ids.length,
        lastSeq: ids.length,
      });
      await expect.poll(() => streamMessages(nc, 'TROUPE_RESTART_TASKS'), { timeout: 10_000 }).toBe(0);
      const executions = await countExecutions(nc, namespace);
      expect(ids.every((id) => (executions.get(id) ?? 0) >= 1)).toBe(true);
      const twice = ids.filter((id) => (executions.get(id) ?? 0) > 1).length;
      console.log(
        `server restart: ${atRestart} → ${afterRestart} of ${FIRST} first-half results across the restart; ` +
          `${twice} of ${ids.length} tasks executed more than once, each recorded once`,
      );
    } finally {
      await nc.close();
    }
  });
});
