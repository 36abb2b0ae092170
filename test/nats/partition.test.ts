/**
 * An owner cut off from NATS (a real TCP partition, through a proxy we cut
 * and heal) loses its keys to a live worker. When it comes back it must not
 * resume them with stale state: its instance is dropped as soon as the owners
 * bucket shows the key moved, and a result it computed under the lost
 * ownership is answered as an error, never as a value.
 */
import { createRuntime, type Runtime, TransportError } from '@troupe/core';
import { connectNats, ownerSubject, startWorker, type Worker } from '@troupe/nats';
import { natsSuite, startNatsServer, startTcpProxy } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Inc, SlowInc, workerAgents } from './fixtures/agents.js';
import { untilNoResponders } from './support/untilNoResponders.js';

type Count = Answer & { count: number };
const NS = 'part';

function worker(servers: string, name: string): Promise<Worker> {
  return startWorker({
    connection: { servers, reconnectTimeWait: 50 },
    namespace: NS,
    agents: [workerAgents(name).Counter],
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

async function client(servers: string): Promise<Runtime> {
  return createRuntime({ transport: await connectNats({ connection: { servers } }), namespace: NS });
}

/** Death, not shutdown: the connection drops and the owners bucket still names the worker. */
async function die(w: Worker, url: string, key: string): Promise<void> {
  await w.transport.connection?.close();
  await untilNoResponders(url, ownerSubject(NS, w.transport.workerId, 'nats.counter', key));
}

natsSuite('a partitioned keyed owner', () => {
  it('should drop a key it lost while partitioned and start it fresh when it takes it back', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    await using proxy = await startTcpProxy({ target: server.port });
    await using a = await worker(proxy.url, 'A');
    await using asker = await client(server.url);
    const p1 = asker.ref({ type: 'nats.counter', key: 'p1' });
    expect(await p1.ask(Inc.create({}))).toMatchObject({ worker: 'A', count: 1 });
    expect(await p1.ask(Inc.create({}))).toMatchObject({ worker: 'A', count: 2 });

    const b = await worker(server.url, 'B');
    try {
      proxy.cut();
      await untilNoResponders(server.url, ownerSubject(NS, a.transport.workerId, 'nats.counter', 'p1'));
      const counts: Count[] = [];
      for (let i = 0; i < 4; i++) counts.push((await p1.ask(Inc.create({}), { timeout: 10_000 })) as Count);
      expect(counts.map((c) => [c.worker, c.count])).toEqual([
        ['B', 1],
        ['B', 2],
        ['B', 3],
        ['B', 4],
      ]);

      proxy.heal();
      // A sees the bucket name B and drops its own p1 (count 2) rather than keeping it around.
      await expect.poll(() => a.transport.stats().lost, { timeout: 20_000 }).toBe(1);
      expect(a.transport.stats().reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await die(b, server.url, 'p1');
    }
    const back = (await p1.ask(Inc.create({}), { timeout: 15_000 })) as Count;
    expect(back).toMatchObject({ worker: 'A', count: 1 });
    expect(a.transport.stats().takeovers).toBe(1);
  });

  it('should answer a result computed while partitioned with an error once the key is found moved', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    await using proxy = await startTcpProxy({ target: server.port });
    await using a = await worker(proxy.url, 'A');
    await using asker = await client(server.url);
    const p1 = asker.ref({ type: 'nats.counter', key: 'p1' });
    expect(await p1.ask(Inc.create({}))).toMatchObject({ worker: 'A', count: 1 });
    // B joins once A owns p1.
    await using _b = await worker(server.url, 'B');

    // A starts a slow increment, is cut off, and finishes it while cut off: the result must wait.
    const slow = p1.ask(SlowInc.create({ ms: 1_000 }), { timeout: 30_000 }).catch((e: unknown) => e);
    await expect.poll(() => a.transport.stats().inFlight).toBe(1);
    proxy.cut();
    await expect.poll(() => a.transport.stats().inFlight, { timeout: 10_000 }).toBe(0);
    await untilNoResponders(server.url, ownerSubject(NS, a.transport.workerId, 'nats.counter', 'p1'));
    expect(await p1.ask(Inc.create({}), { timeout: 10_000 })).toMatchObject({ worker: 'B', count: 1 });
    proxy.heal();
    // Once A learns that B owns p1, the count A computed (2) is refused rather than delivered.
    const outcome = await slow;
    expect(outcome).toBeInstanceOf(TransportError);
    expect((outcome as TransportError).message).toMatch(/moved to another worker/);
    expect(a.transport.stats().lost).toBe(1);
  });
});
