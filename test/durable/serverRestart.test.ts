import { connect } from '@nats-io/transport-node';
import { createDispatcher } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { countExecutions, createExecLog } from './support/execLog.js';
import { bucketWrites, collect, dispatchJobs, streamMessages } from './support/scenario.js';
import { WorkerPool } from './support/workerProcesses.js';

const FIRST = 600;
const SECOND = 400;
const LONG = 3;
/** Long enough that the long tasks are still running when the server stops and when it is back. */
const LONG_MS = 10_000;

natsSuite('durable dispatch when nats-server restarts', () => {
  it('should finish the work in flight across the restart, with nothing lost and each result recorded once', {
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

      const longIds = await dispatchJobs(dispatcher, LONG, FIRST + SECOND, LONG_MS);
      const long = collect(dispatcher, longIds);
      const firstIds = await dispatchJobs(dispatcher, FIRST);
      const first = collect(dispatcher, firstIds);
      await expect.poll(() => first.done(), { timeout: 60_000 }).toBeGreaterThanOrEqual(100);
      await expect
        .poll(async () => {
          const executions = await countExecutions(nc, namespace);
          return longIds.filter((id) => executions.has(id)).length;
        })
        .toBe(LONG);
      // The long tasks are running now, and will be when the server stops.
      expect(long.done()).toBe(0);

      // The second half is dispatched while the server goes down and comes back: dispatch retries.
      const stoppedAt = Date.now();
      const [, secondIds] = await Promise.all([server.restart(), dispatchJobs(dispatcher, SECOND, FIRST)]);
      const second = collect(dispatcher, secondIds);

      const ids = [...firstIds, ...secondIds, ...longIds];
      expect(new Set(ids).size).toBe(FIRST + SECOND + LONG);
      expect([...(await first.all), ...(await second.all), ...(await long.all)]).toEqual(
        ids.map((_, i) => i * 2),
      );
      expect(await dispatcher.results.keys()).toHaveLength(ids.length);
      expect(await bucketWrites(nc, dispatcher.results.bucket)).toEqual({
        messages: ids.length,
        lastSeq: ids.length,
      });
      await expect.poll(() => streamMessages(nc, 'TROUPE_RESTART_TASKS'), { timeout: 10_000 }).toBe(0);
      const executions = await countExecutions(nc, namespace);
      expect(ids.every((id) => (executions.get(id) ?? 0) >= 1)).toBe(true);

      // Work in flight across the restart was neither lost nor recorded twice: each long task was
      // still running when the server stopped (it finished later), and has one result. Its worker kept it alive (`working()`) and
      // recorded it, so the server had no reason to deliver it again: see DURABLE.md.
      for (const id of longIds) {
        const result = await dispatcher.peek(id);
        expect(result?.ok, id).toBe(true);
        expect(result?.finishedAt, id).toBeGreaterThan(stoppedAt);
      }
    } finally {
      await nc.close();
    }
  });
});
