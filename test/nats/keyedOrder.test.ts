/**
 * Per-sender order to one keyed instance, from the first message on: two
 * worker processes host the same type; a fresh client fires 200 tells and
 * then 200 asks at `{ type, key }` without awaiting any, and the instance
 * handles them in exactly the order sent (what in-process delivery, and
 * Akka, guarantee from one sender to one receiver).
 */
import { createRuntime } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Append, ReadLog } from './fixtures/agents.js';
import { spawnWorker } from './support/workerProcess.js';

const TELLS = 200;
const ASKS = 200;

natsSuite('keyed delivery order over NATS', () => {
  it('should handle tells then asks from one sender in the order sent, from the first message', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using one = await spawnWorker({ url: server.url, namespace: 'order', name: 'one' });
    await using two = await spawnWorker({ url: server.url, namespace: 'order', name: 'two' });
    const pids = new Set([one.pid, two.pid]);
    for (const round of ['k1', 'k2', 'k3']) {
      // A fresh client each round: it knows no owner, and no worker owns the key yet.
      await using client = createRuntime({
        transport: await connectNats({ connection: { servers: server.url } }),
        namespace: 'order',
      });
      const ref = client.ref({ type: 'nats.log', key: round });
      const tells = Array.from({ length: TELLS }, (_, i) => ref.tell(Append.create({ seq: i })));
      const asks = Array.from({ length: ASKS }, (_, i) => ref.ask(Append.create({ seq: TELLS + i })));
      await Promise.all(tells);
      const replies = (await Promise.all(asks)) as Array<Answer & { length: number }>;
      // Each ask saw every message sent before it, and none sent after it.
      expect(replies.map((r) => r.length)).toEqual(Array.from({ length: ASKS }, (_, i) => TELLS + i + 1));
      const log = (await ref.ask(ReadLog.create({}))) as Answer & { seqs: number[] };
      expect(log.seqs).toEqual(Array.from({ length: TELLS + ASKS }, (_, i) => i));
      expect(pids.has(log.pid)).toBe(true);
      expect(new Set(replies.map((r) => r.pid))).toEqual(new Set([log.pid]));
    }
  });
});
