/**
 * A server that refuses some publishes or subscriptions (account permissions):
 * the affected asks and tells fail at once with `UnauthorizedError` instead of
 * timing out, and the process keeps serving and asking what it may.
 */
import { createRuntime, type TroupeError, UnauthorizedError } from '@troupe/core';
import { connectNats, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Inc, Sleep, WhoAsk, workerAgents } from './fixtures/agents.js';

const NS = 'perm';
/** Far longer than any refusal may take: a refusal that waited for the timeout fails the bound. */
const TIMEOUT = 15_000;
const FAST = 3_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function refusedFast(promise: Promise<unknown>): Promise<UnauthorizedError> {
  const started = Date.now();
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthorizedError);
  expect(Date.now() - started).toBeLessThan(FAST);
  return err as UnauthorizedError;
}

natsSuite('NATS permission refusals', () => {
  it('should fail asks at once when replies may not be received, and keep serving', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer({
      auth: {
        users: [
          { user: 'full', password: 'full' },
          {
            user: 'noinbox',
            password: 'noinbox',
            permissions: { publish: ['troupe.>', '_INBOX.>'], subscribe: ['troupe.>'] },
          },
        ],
      },
    });
    const full = { servers: server.url, user: 'full', pass: 'full' };
    const { Who, Counter } = workerAgents('full');
    await using _worker = await startWorker({ connection: full, namespace: NS, agents: [Who, Counter] });
    // A process that serves `nats.slow` but may not subscribe to its own reply inbox.
    const limited = await startWorker({
      connection: { servers: server.url, user: 'noinbox', pass: 'noinbox' },
      namespace: NS,
      agents: [workerAgents('limited').Slow],
      progress: false,
    });
    try {
      const asking = limited.runtime;
      const refused = await refusedFast(asking.ref(Who).ask(WhoAsk.create({}), { timeout: TIMEOUT }));
      expect(refused.message).toMatch(/subscription/);
      await refusedFast(asking.ref(Who).ask(WhoAsk.create({}), { timeout: TIMEOUT }));
      await refusedFast(asking.ref(Counter, 'k').ask(Inc.create({}), { timeout: TIMEOUT }));
      expect(limited.transport.stats().denied).toBeGreaterThanOrEqual(3);

      // Its reader is alive: it still serves what others ask it.
      await using client = createRuntime({
        transport: await connectNats({ connection: full }),
        namespace: NS,
      });
      for (let i = 0; i < 3; i++) {
        const answer = (await client.ref({ type: 'nats.slow' }).ask(Sleep.create({ ms: 1 }))) as Answer;
        expect(answer.worker).toBe('limited');
      }
      expect(limited.transport.connection?.isClosed()).toBe(false);
    } finally {
      await limited.close();
    }
  });

  it('should fail asks and tells at once when the server refuses the publish, and keep the connection', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer({
      auth: {
        users: [
          { user: 'full', password: 'full' },
          {
            user: 'narrow',
            password: 'narrow',
            permissions: { publish: ['_INBOX.>', `troupe.${NS}.agent.nats.who`], subscribe: ['_INBOX.>'] },
          },
        ],
      },
    });
    const { Who, Counter } = workerAgents('full');
    await using _worker = await startWorker({
      connection: { servers: server.url, user: 'full', pass: 'full' },
      namespace: NS,
      agents: [Who, Counter],
    });
    const transport = await connectNats({
      connection: { servers: server.url, user: 'narrow', pass: 'narrow' },
      progress: false,
      logger: quiet,
    });
    await using client = createRuntime({ transport, namespace: NS });
    expect(((await client.ref(Who).ask(WhoAsk.create({}))) as Answer).worker).toBe('full');

    const denied = await refusedFast(client.ref(Counter).ask(Inc.create({}), { timeout: TIMEOUT }));
    expect(denied.data).toMatchObject({ subject: `troupe.${NS}.agent.nats.counter` });
    await refusedFast(client.ref(Counter, 'k').ask(Inc.create({}), { timeout: TIMEOUT }));
    await refusedFast(client.ref(Counter).tell(Inc.create({})));
    // Many at once: each fails at once, none waits for its timeout.
    const many = await Promise.all(
      Array.from({ length: 20 }, () =>
        client
          .ref(Counter)
          .ask(Inc.create({}), { timeout: TIMEOUT })
          .catch((e: unknown) => e as TroupeError),
      ),
    );
    expect(many.every((e) => e instanceof UnauthorizedError)).toBe(true);
    expect(transport.stats().denied).toBeGreaterThanOrEqual(23);
    // What it may do still works on the same connection.
    expect(((await client.ref(Who).ask(WhoAsk.create({}))) as Answer).worker).toBe('full');
    expect(transport.connection?.isClosed()).toBe(false);
  });

  it('should refuse to serve a type whose subjects may not be subscribed, with UnauthorizedError', async () => {
    await using server = await startNatsServer({
      auth: {
        users: [
          {
            user: 'nokeys',
            password: 'nokeys',
            permissions: {
              publish: ['>'],
              subscribe: ['_INBOX.>', `troupe.${NS}.agent.>`, `troupe.${NS}.control.>`],
            },
          },
        ],
      },
    });
    const err = await startWorker({
      connection: { servers: server.url, user: 'nokeys', pass: 'nokeys' },
      namespace: NS,
      agents: [workerAgents('w').Who],
      progress: false,
      logger: quiet,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).message).toMatch(/nats\.who/);
  });
});
