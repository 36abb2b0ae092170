/**
 * A nats-server restart in the middle of a run: asks made during the outage
 * settle within their timeout (typed error or success), never hang, and the
 * client and worker carry on once the server is back.
 */
import { createRuntime, TroupeError } from '@troupe/core';
import { connectNats, type NatsTransport, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Inc, WhoAsk, workerAgents } from './fixtures/agents.js';

const TIMEOUT = 1_000;
// Generous slack for a loaded machine; the point is "bounded", not "fast".
const SLACK = 1_500;

natsSuite('NATS reconnect', () => {
  it('should settle asks during a server restart within their timeout and resume after', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    const { Who, Counter } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url, reconnectTimeWait: 100 },
      namespace: 'reconnect',
      agents: [Who, Counter],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url, reconnectTimeWait: 100 } }),
      namespace: 'reconnect',
    });
    const who = client.ref({ type: 'nats.who' });
    expect(((await who.ask(WhoAsk.create({}))) as Answer).worker).toBe('w');

    const outcomes: Array<{ ok: boolean; started: number; ended: number; error?: unknown }> = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const started = Date.now();
        try {
          await who.ask(WhoAsk.create({}), { timeout: TIMEOUT });
          outcomes.push({ ok: true, started, ended: Date.now() });
        } catch (error) {
          outcomes.push({ ok: false, started, ended: Date.now(), error });
          // Pacing, not waiting for a condition: a refused ask must not spin the loop.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })();

    await expect.poll(() => outcomes.length).toBeGreaterThanOrEqual(10);
    const down = Date.now();
    await server.restart();
    const up = Date.now();
    // The client resumes: asks succeed again once both sides have reconnected.
    await expect
      .poll(() => outcomes.slice(-3).every((o) => o.ok) && outcomes.length > 10, {
        timeout: 30_000,
        interval: 100,
      })
      .toBe(true);
    running = false;
    await loop;

    // The outage really happened, on both sides, and asks were made across it.
    for (const side of [client.transport as NatsTransport, worker.transport]) {
      expect(side.stats().disconnects).toBeGreaterThanOrEqual(1);
      expect(side.stats().reconnects).toBeGreaterThanOrEqual(1);
    }
    const across = outcomes.filter((o) => o.started < up && o.ended > down);
    expect(across.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.ended < down).every((o) => o.ok)).toBe(true);
    // Each settled within its timeout: an answer, or a typed error.
    for (const o of outcomes) {
      expect(o.ended - o.started).toBeLessThan(TIMEOUT + SLACK);
      if (o.ok) continue;
      expect(o.error).toBeInstanceOf(TroupeError);
      expect(['TIMEOUT', 'TRANSPORT', 'NO_RESPONDERS']).toContain((o.error as TroupeError).code);
    }

    // Keyed routing works again too (the owners bucket lives in JetStream, which came back with the server).
    const counter = client.ref({ type: 'nats.counter', key: 'after-restart' });
    await expect
      .poll(
        async () =>
          counter.ask(Inc.create({})).then(
            () => true,
            () => false,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(((await counter.ask(Inc.create({}))) as { count: number }).count).toBeGreaterThan(1);
    expect(worker.transport.stats().received).toBeGreaterThan(0);
  });

  it('should fail asks pending when the connection is lost for good with a typed error', async () => {
    await using server = await startNatsServer();
    const { Slow } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'lost',
      agents: [Slow],
      closeTimeout: 500,
    });
    const transport = await connectNats({ connection: { servers: server.url, maxReconnectAttempts: 0 } });
    await using client = createRuntime({ transport, namespace: 'lost' });
    const ask = client
      .ref({ type: 'nats.slow' })
      .ask({ type: 'slow.sleep', payload: { ms: 5_000 } }, { timeout: 20_000 })
      .catch((e: unknown) => e);
    await expect.poll(() => worker.transport.stats().inFlight).toBe(1);
    const started = Date.now();
    await server.kill();
    const err = await ask;
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as TroupeError).code).toBe('TRANSPORT');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(worker.transport.stats().delivered).toBe(1);
  });
});
