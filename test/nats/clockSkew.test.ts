/**
 * Deadlines across machines whose clocks disagree: worker processes run with
 * their wall clock shifted ±5 s (a preload moving Date.now). An ask carries
 * the time it has left, rebased on the receiver's clock on arrival, so skew
 * neither fails a healthy ask early nor lets a handler outlive its deadline.
 */

import { connect, headers } from '@nats-io/transport-node';
import { createRuntime, newId } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Clock, Relay, Sleep } from './fixtures/agents.js';
import { spawnWorker } from './support/workerProcess.js';

const SKEW = 5_000;

natsSuite('clock skew between asker and worker', () => {
  it('should honour an ask’s timeout on a worker whose clock is 5 s ahead', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using ahead = await spawnWorker({
      url: server.url,
      namespace: 'skew',
      name: 'ahead',
      clockSkewMs: SKEW,
      env: { TROUPE_TEST_TYPES: 'nats.slow,nats.relay' },
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'skew',
    });
    // The skew is real: the worker's clock reads about 5 s ahead of ours.
    const clock = (await client.ref({ type: 'nats.relay' }).ask(Clock.create({}))) as Answer & {
      now: number;
    };
    expect(clock.now - Date.now()).toBeGreaterThan(SKEW - 1_000);

    // A 3 s ask to a 100 ms handler succeeds (it failed in 5 ms, "passed its deadline").
    await expect(
      client.ref({ type: 'nats.slow' }).ask(Sleep.create({ ms: 100 }), { timeout: 3_000 }),
    ).resolves.toMatchObject({ pid: ahead.pid });
    // An 8 s ask is not cut at 3 s: a 4 s handler finishes.
    await expect(
      client.ref({ type: 'nats.slow' }).ask(Sleep.create({ ms: 4_000 }), { timeout: 8_000 }),
    ).resolves.toMatchObject({ pid: ahead.pid });
  });

  it('should let a worker 5 s behind ask a correct-clock worker with a 3 s timeout', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using behind = await spawnWorker({
      url: server.url,
      namespace: 'skew',
      name: 'behind',
      clockSkewMs: -SKEW,
      env: { TROUPE_TEST_TYPES: 'nats.relay' },
    });
    await using exact = await spawnWorker({
      url: server.url,
      namespace: 'skew',
      name: 'exact',
      env: { TROUPE_TEST_TYPES: 'nats.slow' },
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'skew',
    });
    // The nested 3 s ask from the worker behind to the exact one succeeds (it failed in 10 ms).
    const answer = (await client
      .ref({ type: 'nats.relay' })
      .ask(Relay.create({ ms: 100, timeout: 3_000 }), { timeout: 10_000 })) as Answer & { inner: Answer };
    expect(answer.pid).toBe(behind.pid);
    expect(answer.inner.pid).toBe(exact.pid);
  });

  it('should stop a handler at its 1 s deadline on a worker 5 s behind when the asker is gone', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using _behind = await spawnWorker({
      url: server.url,
      namespace: 'skew',
      name: 'behind',
      clockSkewMs: -SKEW,
      env: { TROUPE_TEST_TYPES: 'nats.slow' },
    });
    // A raw asker sends a 1 s ask for a 10 s sleep and then never speaks again (no cancel).
    const raw = await connect({ servers: server.url });
    const inbox = `_INBOX.skew.${newId()}`;
    const replies = raw.subscribe(inbox, { max: 1 });
    const env = {
      v: 1,
      id: newId(),
      type: Sleep.type,
      to: { type: 'nats.slow' },
      ts: Date.now(),
      payload: { ms: 10_000 },
    };
    const h = headers();
    h.set('type', env.type);
    h.set('id', env.id);
    h.set('timeout', '1000');
    const sent = performance.now();
    raw.publish('troupe.skew.agent.nats.slow', JSON.stringify(env), { headers: h, reply: inbox });
    let elapsed = 0;
    let body: { ok: boolean; error?: { code: string } } | undefined;
    for await (const m of replies) {
      elapsed = performance.now() - sent;
      body = m.json();
    }
    // The worker aborts the handler at its own 1 s deadline (it ran 6 s), and says so.
    expect(body).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(elapsed).toBeGreaterThan(900);
    expect(elapsed).toBeLessThan(4_000);
    await raw.close();
  });
});
