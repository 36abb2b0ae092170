/**
 * Type names that extend one another (`nats.who` and `nats.who.extra`) never
 * share a subject: asking a missing `<type>.<word>` fails at once with
 * `NoRespondersError`, and when both types are served each gets its own
 * messages, keyed or not.
 */
import { createRuntime, defineAgent, NoRespondersError, on } from '@troupe/core';
import { connectNats, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, WhoAsk, workerAgents } from './fixtures/agents.js';

const TIMEOUT = 15_000;

async function noResponders(promise: Promise<unknown>): Promise<void> {
  const started = Date.now();
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NoRespondersError);
  expect(Date.now() - started).toBeLessThan(3_000);
}

natsSuite('NATS type names that extend one another', () => {
  it('should answer a missing <type>.<word> with NoRespondersError at once, keyed or not', async () => {
    await using server = await startNatsServer();
    const { Who } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'ext',
      agents: [Who],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'ext',
    });
    await noResponders(client.ref({ type: 'nats.who.extra' }).ask(WhoAsk.create({}), { timeout: TIMEOUT }));
    await noResponders(
      client.ref({ type: 'nats.who.extra', key: 'k' }).ask(WhoAsk.create({}), { timeout: TIMEOUT }),
    );
    await noResponders(client.ref({ type: 'nats.who.extra' }).tell(WhoAsk.create({})));
    // The worker of `nats.who` never saw them.
    expect(worker.transport.stats().received).toBe(0);
    expect(((await client.ref(Who, 'extra').ask(WhoAsk.create({}))) as Answer).worker).toBe('w');
  });

  it('should keep <type> and <type>.<word> apart when both are served', async () => {
    await using server = await startNatsServer();
    const { Who } = workerAgents('short');
    const Longer = defineAgent({
      type: 'nats.who.extra',
      handles: { [WhoAsk.type]: on(WhoAsk, (): Answer => ({ worker: 'long', pid: process.pid })) },
    });
    await using short = await startWorker({
      connection: { servers: server.url },
      namespace: 'both',
      agents: [Who],
    });
    await using long = await startWorker({
      connection: { servers: server.url },
      namespace: 'both',
      agents: [Longer],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'both',
    });
    for (let i = 0; i < 10; i++) {
      const key = `k${i}`;
      const answers = (await Promise.all([
        client.ref({ type: 'nats.who' }).ask(WhoAsk.create({})),
        client.ref({ type: 'nats.who.extra' }).ask(WhoAsk.create({})),
        client.ref({ type: 'nats.who', key: 'extra' }).ask(WhoAsk.create({})),
        client.ref({ type: 'nats.who.extra', key }).ask(WhoAsk.create({})),
      ])) as Answer[];
      expect(answers.map((a) => a.worker)).toEqual(['short', 'long', 'short', 'long']);
    }
    expect(short.transport.stats().invalid).toBe(0);
    expect(long.transport.stats().invalid).toBe(0);
  });
});
