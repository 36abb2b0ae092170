/**
 * Durable tasks near a small max_payload, with worker processes: an oversized dispatch fails at
 * once with PayloadTooLargeError, and a dead letter always lands (the task's payload left out,
 * the reason cut down) so the waiter always gets the real, typed error.
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PayloadTooLargeError, ValidationError } from '@troupe/core';
import { createDispatcher } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { watchDeadLetters } from './support/deadLetters.js';
import { createExecLog } from './support/execLog.js';
import { FaultWork } from './support/faultJob.js';
import { WorkerPool } from './support/workerProcesses.js';

const MAX = 64 * 1024;

natsSuite('durable task sizes against max_payload', () => {
  it('should refuse an oversized task at once and dead-letter near-limit failures with their real error', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer({ maxPayload: MAX });
    await using pool = new WorkerPool();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'sizes';
      await createExecLog(nc, namespace);
      await using dispatcher = await createDispatcher({ nc, namespace });
      const dead = watchDeadLetters(nc, namespace);
      const letters = dead.letters;
      await nc.flush();

      // Over the limit: refused at once, typed, never retried until the dispatch timeout.
      const started = performance.now();
      const refused = await dispatcher
        .dispatch(
          { to: { type: 'fault.job' }, message: FaultWork.create({ n: 1, pad: 'p'.repeat(MAX) }) },
          { timeout: 30_000 },
        )
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PayloadTooLargeError);
      expect(performance.now() - started).toBeLessThan(5_000);

      await pool.start({ url: server.url, namespace, maxDeliver: 3, ackWaitMs: 5_000 });
      // Near the limit with an invalid payload: its dead letter (task + error) would not fit whole.
      const invalidId = await dispatcher.dispatch({
        to: { type: 'fault.job' },
        message: { type: FaultWork.type, payload: { n: 'not a number', pad: 'p'.repeat(MAX - 2_000) } },
      });
      const invalid = await dispatcher.result(invalidId, { timeout: 60_000 }).catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(ValidationError);
      // Half the limit, and the error quotes the whole input: the real error, not MAX_DELIVERIES.
      const quoteId = await dispatcher.dispatch({
        to: { type: 'fault.job' },
        message: FaultWork.create({ n: 2, mode: 'quote', pad: 'q'.repeat(MAX / 2) }),
      });
      const quoted = await dispatcher.result(quoteId, { timeout: 60_000 }).catch((e: unknown) => e);
      expect(quoted).toBeInstanceOf(ValidationError);
      expect((quoted as Error).message).toMatch(/^input rejected: \{"n":2,"mode":"quote","pad":"qqq/);

      await expect.poll(() => letters.length, { timeout: 10_000 }).toBe(2);
      const byId = new Map(letters.map((l) => [l.taskId, l]));
      expect(byId.get(invalidId)).toMatchObject({ deliveries: 1, reason: { code: 'VALIDATION' } });
      // Task plus quoting error exceed the limit: the payload is left out and the reason cut down.
      const letter = byId.get(quoteId);
      expect(letter).toMatchObject({
        deliveries: 1,
        reason: { code: 'VALIDATION', name: 'ValidationError' },
        task: { message: { type: FaultWork.type, payload: null } },
        taskOmitted: { payloadBytes: expect.any(Number) },
      });
      expect(letter?.reason.message).toMatch(/^input rejected: .*\[truncated, \d+ bytes\]$/s);
      expect(await dispatcher.peek(quoteId)).toMatchObject({ ok: false, deadLettered: true, deliveries: 1 });
      // Nothing is left in the queue.
      const jsm = await jetstreamManager(nc);
      const info = await jsm.consumers.info('TROUPE_SIZES_TASKS', 'troupe_sizes_do_fault=job');
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      dead.stop();
    } finally {
      await nc.close();
    }
  });
});
