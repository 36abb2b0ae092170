/**
 * Hung handlers over NATS: a handler that never settles and ignores its signal no longer blocks
 * its instance (it is abandoned past its deadline plus grace and the instance restarted), and
 * the serving worker forgets each timed-out ask at once rather than keeping an in-flight entry.
 */
import { createRuntime, TimeoutError } from '@troupe/core';
import { connectNats, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { Count, Forever, workerAgents } from './fixtures/agents.js';
import { spawnWorker } from './support/workerProcess.js';

natsSuite('hung handlers over NATS', () => {
  it('should restart a hung keyed instance in a worker process so later asks succeed', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using worker = await spawnWorker({
      url: server.url,
      namespace: 'hang',
      name: 'hang',
      env: { TROUPE_TEST_TYPES: 'nats.hang' },
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'hang',
    });
    const ref = client.ref({ type: 'nats.hang', key: 'k' });
    expect(await ref.ask(Count.create({}))).toMatchObject({ pid: worker.pid, count: 1 });
    await expect(ref.ask(Forever.create({}), { timeout: 500 })).rejects.toBeInstanceOf(TimeoutError);
    // Every later ask used to time out too; now it waits at most the grace and runs on the kept state.
    expect(await ref.ask(Count.create({}), { timeout: 15_000 })).toMatchObject({ count: 2 });
    expect(worker.stderr()).toMatch(/abandoned, restarting the instance/);
  });

  it('should not keep an in-flight entry per timed-out ask', { timeout: 120_000 }, async () => {
    await using server = await startNatsServer();
    // Never abandoned by the runtime: the transport alone must forget what it answered.
    process.env.TROUPE_TEST_HANG_GRACE_MS = 'Infinity';
    const { Hang } = workerAgents('w');
    delete process.env.TROUPE_TEST_HANG_GRACE_MS;
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'hang',
      agents: [Hang],
      closeTimeout: 500,
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'hang',
    });
    const asks = Array.from({ length: 50 }, (_, i) =>
      client.ref({ type: 'nats.hang', key: `k${i}` }).ask(Forever.create({}), { timeout: 300 }),
    );
    for (const ask of asks) await expect(ask).rejects.toBeInstanceOf(TimeoutError);
    await expect.poll(() => worker.transport.stats().inFlight, { timeout: 10_000 }).toBe(0);
  });
});
