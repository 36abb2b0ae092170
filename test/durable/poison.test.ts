import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { TransportError } from '@troupe/core';
import { createDispatcher, type DeadLetter } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { watchDeadLetters } from './support/deadLetters.js';
import { countExecutions, createExecLog } from './support/execLog.js';
import { FaultWork } from './support/faultJob.js';
import { collect, dispatchJobs } from './support/scenario.js';
import { WorkerPool } from './support/workerProcesses.js';

natsSuite('durable dispatch of a poison task', () => {
  it('should dead-letter it after maxDeliver and reject its result with the typed error', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'poison';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const dead = watchDeadLetters(nc, namespace);
      const letters = dead.letters;
      await nc.flush();
      await pool.start({ url: server.url, namespace, maxDeliver: 3, ackWaitMs: 2_000 });

      const healthy = collect(dispatcher, await dispatchJobs(dispatcher, 20));
      const poisonId = await dispatcher.dispatch({
        to: { type: 'fault.job' },
        message: FaultWork.create({ n: 7, mode: 'poison' }),
      });
      const error = await dispatcher.result(poisonId, { timeout: 60_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toBe('poison 7');
      expect(await healthy.all).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));

      await expect.poll(() => letters.length, { timeout: 10_000 }).toBe(1);
      expect(letters[0]).toMatchObject({
        taskId: poisonId,
        deliveries: 3,
        reason: { code: 'TRANSPORT', name: 'TransportError', message: 'poison 7' },
        task: {
          to: { type: 'fault.job' },
          message: { type: 'fault.work', payload: { n: 7, mode: 'poison' } },
        },
      });
      expect(await dispatcher.peek(poisonId)).toMatchObject({ ok: false, deadLettered: true, deliveries: 3 });
      expect((await countExecutions(nc, namespace)).get(poisonId)).toBe(3);
      // The dead letter is also kept by the dead-letter stream, for whoever drains it later.
      const jsm = await jetstreamManager(nc);
      const kept = await jsm.streams.getMessage('TROUPE_POISON_DEAD', {
        last_by_subj: `troupe.${namespace}.tasks.dead`,
      });
      expect(kept?.json<DeadLetter>().taskId).toBe(poisonId);
      dead.stop();
    } finally {
      await nc.close();
    }
  });
});
