/**
 * Retention of the JetStream assets of a long-lived namespace: 2,000 keys owned then released
 * leave nothing in the owners bucket, 2,000 dead letters stay within their own count limit without
 * touching queued tasks, results expire after their TTL, and an existing asset whose limits
 * differ is reported once.
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createRuntime, type Logger } from '@troupe/core';
import {
  connectNats,
  createDispatcher,
  ownersBucketName,
  startDurableWorker,
  startWorker,
} from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { Inc, workerAgents } from '../nats/fixtures/agents.js';
import { FaultWork, faultJob } from './support/faultJob.js';

natsSuite('retention of durable and ownership assets', () => {
  it('should leave no owners entries for 2,000 released keys', { timeout: 180_000 }, async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const worker = await startWorker({
        connection: { servers: server.url },
        namespace: 'keys',
        agents: [workerAgents('w').Counter],
      });
      await using client = createRuntime({
        transport: await connectNats({ connection: { servers: server.url } }),
        namespace: 'keys',
      });
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            client
              .ref({ type: 'nats.counter', key: `k${batch * 100 + i}` })
              .ask(Inc.create({}), { timeout: 30_000 }),
          ),
        );
      }
      const jsm = await jetstreamManager(nc);
      const stream = `KV_${ownersBucketName('keys')}`;
      expect((await jsm.streams.info(stream)).state.messages).toBe(2_000);
      await worker.close();
      // Released: no entry and no delete marker is left behind.
      await expect
        .poll(async () => (await jsm.streams.info(stream)).state.messages, { timeout: 30_000 })
        .toBe(0);
    } finally {
      await nc.close();
    }
  });

  it('should keep dead letters within their own limit, expire results, and report a differing asset', {
    timeout: 180_000,
  }, async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    };
    try {
      const namespace = 'ret';
      const stream = { deadLetterMaxMessages: 100, resultsTtlMs: 3_000 };
      await using dispatcher = await createDispatcher({ nc, namespace, stream, logger });
      await using runtime = createRuntime({ namespace });
      await runtime.register(faultJob(async ({ n }) => n * 2));
      await using _worker = await startDurableWorker({ nc, runtime, concurrency: 64, stream, logger });
      // 2,000 invalid tasks: each is dead-lettered at once.
      const ids = await Promise.all(
        Array.from({ length: 2_000 }, () =>
          dispatcher.dispatch({
            to: { type: 'fault.job' },
            message: { type: FaultWork.type, payload: { n: 'x' } },
          }),
        ),
      );
      // A task nobody hosts waits in the queue, untouched by the dead-letter limits.
      await dispatcher.dispatch({ to: { type: 'nobody' }, message: FaultWork.create({ n: 1 }) });
      await Promise.all(ids.map((id) => dispatcher.outcome(id, { timeout: 120_000 })));
      const jsm = await jetstreamManager(nc);
      const dead = await jsm.streams.info('TROUPE_RET_DEAD');
      expect(dead.state.messages).toBe(100);
      expect(dead.config.max_msgs).toBe(100);
      expect((await jsm.streams.info('TROUPE_RET_TASKS')).state.messages).toBe(1);
      // Results expire after their TTL.
      await expect
        .poll(async () => (await jsm.streams.info('KV_troupe_ret_results')).state.messages, {
          timeout: 30_000,
        })
        .toBe(0);
      expect(warnings).toEqual([]);
      // A process asking for other limits on the existing assets is told, once per asset.
      await using _other = await createDispatcher({
        nc,
        namespace,
        stream: { deadLetterMaxMessages: 5 },
        logger,
      });
      await using _again = await createDispatcher({
        nc,
        namespace,
        stream: { deadLetterMaxMessages: 5 },
        logger,
      });
      expect(warnings.filter((m) => m.includes('TROUPE_RET_DEAD'))).toHaveLength(1);
      expect(warnings.filter((m) => m.includes('KV_troupe_ret_results'))).toHaveLength(1);
    } finally {
      await nc.close();
    }
  });
});
