/**
 * Location transparency across workers: `{ type }` load-balances over every
 * worker hosting the type; `{ type, key }` always reaches the one instance
 * that owns the key, and a live worker takes the key over when its owner dies.
 */

import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { createRuntime, type Runtime } from '@troupe/core';
import { connectNats, ownerSubject, startWorker, type Worker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Inc, WhoAsk, workerAgents } from './fixtures/agents.js';
import { untilNoResponders } from './support/untilNoResponders.js';

type Count = Answer & { count: number };

async function clientFor(url: string, namespace: string): Promise<Runtime> {
  return createRuntime({ transport: await connectNats({ connection: { servers: url } }), namespace });
}

async function workerFor(url: string, namespace: string, name: string): Promise<Worker> {
  const { Who, Counter } = workerAgents(name);
  return startWorker({ connection: { servers: url }, namespace, agents: [Who, Counter] });
}

natsSuite('NATS workers', () => {
  it('should load-balance asks to { type } across workers', async () => {
    await using server = await startNatsServer();
    await using a = await workerFor(server.url, 'lb', 'a');
    await using b = await workerFor(server.url, 'lb', 'b');
    await using client = await clientFor(server.url, 'lb');
    const who = client.ref({ type: 'nats.who' });
    const answers = await Promise.all(Array.from({ length: 200 }, () => who.ask(WhoAsk.create({}))));
    const byWorker = new Map<string, number>();
    for (const { worker } of answers as Answer[]) byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(['a', 'b']);
    // Both take a real share (queue groups pick at random).
    expect(Math.min(...byWorker.values())).toBeGreaterThan(20);
    expect(a.transport.stats().delivered + b.transport.stats().delivered).toBe(200);
  });

  it('should send { type, key } to one instance across several workers', async () => {
    await using server = await startNatsServer();
    await using w1 = await workerFor(server.url, 'keys', 'w1');
    await using w2 = await workerFor(server.url, 'keys', 'w2');
    await using w3 = await workerFor(server.url, 'keys', 'w3');
    // Two clients, so routing cannot lean on one client's cache.
    await using c1 = await clientFor(server.url, 'keys');
    await using c2 = await clientFor(server.url, 'keys');
    const keys = Array.from({ length: 8 }, (_, i) => `user:${i}`);
    const perKey = 12;
    const results = await Promise.all(
      keys.map(async (key) => {
        const replies: Count[] = [];
        for (let i = 0; i < perKey; i++) {
          const client = i % 2 === 0 ? c1 : c2;
          replies.push((await client.ref({ type: 'nats.counter', key }).ask(Inc.create({}))) as Count);
        }
        return replies;
      }),
    );
    const owners = new Set<string>();
    for (const replies of results) {
      expect(replies.map((r) => r.count)).toEqual(Array.from({ length: perKey }, (_, i) => i + 1));
      expect(new Set(replies.map((r) => r.worker)).size).toBe(1);
      owners.add(replies[0]?.worker as string);
    }
    // Keys spread over the workers rather than all landing on one.
    expect(owners.size).toBeGreaterThan(1);
    expect([w1, w2, w3].reduce((n, w) => n + w.transport.stats().forwarded, 0)).toBeGreaterThan(0);
  });

  it('should keep concurrent asks to one key on one instance, in order', async () => {
    await using server = await startNatsServer();
    await using w1 = await workerFor(server.url, 'burst', 'w1');
    await using w2 = await workerFor(server.url, 'burst', 'w2');
    await using client = await clientFor(server.url, 'burst');
    const ref = client.ref({ type: 'nats.counter', key: 'hot' });
    const replies = (await Promise.all(Array.from({ length: 50 }, () => ref.ask(Inc.create({}))))) as Count[];
    expect(replies.map((r) => r.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(new Set(replies.map((r) => r.worker)).size).toBe(1);
    expect(w1.transport.stats().delivered + w2.transport.stats().delivered).toBe(50);
  });

  it('should hand a key to a live worker when its owner dies', async () => {
    await using server = await startNatsServer();
    const first = await workerFor(server.url, 'takeover', 'first');
    await using client = await clientFor(server.url, 'takeover');
    try {
      // `first` is alone when the key is first used, so it becomes the owner.
      const ref = client.ref({ type: 'nats.counter', key: 'k' });
      for (let i = 1; i <= 3; i++) expect(((await ref.ask(Inc.create({}))) as Count).count).toBe(i);
      await using second = await workerFor(server.url, 'takeover', 'second');
      const still = (await ref.ask(Inc.create({}))) as Count;
      expect(still).toMatchObject({ worker: 'first', count: 4 });

      // Death, not shutdown: the connection drops and the owners bucket still names `first`.
      await first.transport.connection?.close();
      await untilNoResponders(
        server.url,
        ownerSubject('takeover', first.transport.workerId, 'nats.counter', 'k'),
      );
      const after = (await ref.ask(Inc.create({}), { timeout: 10_000 })) as Count;
      expect(after.worker).toBe('second');
      expect(after.count).toBe(1); // a fresh instance: the dead worker's memory is gone
      expect(((await ref.ask(Inc.create({}))) as Count).count).toBe(2);
      expect(second.transport.stats().takeovers).toBe(1);

      const nc = await connect({ servers: server.url });
      const kv = await new Kvm(nc).create('troupe_takeover_owners');
      const entry = await kv.get('nats.counter.k');
      expect(new TextDecoder().decode(entry?.value)).toBe(second.transport.workerId);
      await nc.close();
    } finally {
      await first.close();
    }
  });

  it('should release keys on a clean shutdown so another worker claims them at once', async () => {
    await using server = await startNatsServer();
    const first = await workerFor(server.url, 'release', 'first');
    await using client = await clientFor(server.url, 'release');
    const ref = client.ref({ type: 'nats.counter', key: 'k' });
    expect(await ref.ask(Inc.create({}))).toMatchObject({ worker: 'first', count: 1 });
    await using second = await workerFor(server.url, 'release', 'second');
    await first.close();
    expect(await ref.ask(Inc.create({}))).toMatchObject({ worker: 'second', count: 1 });
    expect(second.transport.stats().takeovers).toBe(0);
  });
});
