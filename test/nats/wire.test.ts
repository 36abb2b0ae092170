/**
 * The wire contract, seen from a raw nats.js client: subjects and headers a
 * Troupe ask carries, the reply format, the serving side honouring the
 * `timeout` header (time left, rebased on arrival) and control-subject cancels on its own, and size limits.
 */

import { connect, headers, type Msg } from '@nats-io/transport-node';
import {
  CancelledError,
  createRuntime,
  type Envelope,
  errorToWire,
  NoRespondersError,
  newId,
  PayloadTooLargeError,
  TimeoutError,
  TransportError,
  ValidationError,
} from '@troupe/core';
import { connectNats, NatsTransport, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { Inc, Sleep, WhoAsk, workerAgents } from './fixtures/agents.js';

const enc = new TextEncoder();

function sleepEnvelope(ms: number, timeout?: number) {
  const env: Envelope & { runId: string } = {
    v: 1,
    id: newId(),
    type: Sleep.type,
    to: { type: 'nats.slow' },
    ts: Date.now(),
    payload: { ms },
    runId: 'raw-run',
  };
  const h = headers();
  h.set('type', env.type);
  h.set('id', env.id);
  h.set('runId', env.runId);
  if (timeout !== undefined) h.set('timeout', String(timeout));
  return { env, data: enc.encode(JSON.stringify(env)), headers: h };
}

natsSuite('NATS wire contract', () => {
  it('should send asks on the documented subjects with routing headers', async () => {
    await using server = await startNatsServer();
    const { Counter } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Counter],
    });
    const owner = worker.transport.workerId;
    const raw = await connect({ servers: server.url });
    const seen: Msg[] = [];
    raw.subscribe('troupe.wire.>', {
      callback: (_e, m) => {
        seen.push(m);
      },
    });
    await raw.flush();
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'wire',
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await client.ref({ type: 'nats.counter', key: 'k-1' }).ask(Inc.create({}), {
      runId: 'r-1',
      traceparent,
      tracestate: 'vendor=1',
    });
    await expect.poll(() => seen.length).toBeGreaterThan(1);
    // First the client locates the key's owner: an empty request on the shared keyed subject.
    const [locate, ask] = seen as [Msg, Msg];
    expect(locate.subject).toBe('troupe.wire.instance.nats.counter.k-1');
    expect(locate.headers?.get('locate')).toBe('1');
    expect(locate.data.length).toBe(0);
    // Then the ask goes straight to the owner's own subject.
    expect(ask.subject).toBe(`troupe.wire.worker.${owner}.instance.nats.counter.k-1`);
    const h = ask.headers;
    const body = JSON.parse(new TextDecoder().decode(ask.data));
    expect(h?.get('type')).toBe('counter.inc');
    expect(h?.get('id')).toBe(body.id);
    expect(h?.get('runId')).toBe('r-1');
    expect(h?.get('traceparent')).toBe(traceparent);
    expect(h?.get('tracestate')).toBe('vendor=1');
    expect(body).toMatchObject({ traceparent, tracestate: 'vendor=1' });
    expect(h?.get('key')).toBe('k-1');
    // The deadline travels as the time left (ms), never as the asker's clock reading.
    expect(Number(h?.get('timeout'))).toBeGreaterThan(0);
    expect(Number(h?.get('timeout'))).toBeLessThanOrEqual(30_000);
    expect(body.deadline).toBeUndefined();
    expect(body).toMatchObject({ v: 1, type: 'counter.inc', to: { type: 'nats.counter', key: 'k-1' } });

    // The shared keyed subject takes whole messages too; the reply is a marked { ok, value } body naming the owner.
    const reply = await raw.request('troupe.wire.instance.nats.counter.k-1', ask.data, {
      headers: ask.headers as never,
      timeout: 5_000,
    });
    expect(reply.headers?.get('troupe-reply')).toBe('ok');
    expect(reply.headers?.get('owner')).toBe(owner);
    expect(reply.json()).toEqual({ ok: true, value: { worker: 'w', pid: process.pid, count: 2 } });
    // A tell is acknowledged at once, and the acknowledgement names the owner too.
    const tellHeaders = headers();
    for (const [k, v] of ask.headers ?? []) for (const value of v) tellHeaders.append(k, value);
    tellHeaders.set('tell', '1');
    const ack = await raw.request('troupe.wire.instance.nats.counter.k-1', ask.data, {
      headers: tellHeaders,
      timeout: 5_000,
    });
    expect(ack.headers?.get('owner')).toBe(owner);
    expect(ack.json()).toEqual({ ok: true });
    // A locate is answered with an empty ok reply naming the owner.
    const located = await raw.request('troupe.wire.instance.nats.counter.k-1', undefined, {
      headers: locate.headers as never,
      timeout: 5_000,
    });
    expect(located.headers?.get('owner')).toBe(owner);
    expect(located.json()).toEqual({ ok: true });
    await raw.close();
  });

  it('should abort a handler when its deadline passes, with no help from the asker', async () => {
    await using server = await startNatsServer();
    const { Slow } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Slow],
    });
    const raw = await connect({ servers: server.url });
    const { data, headers: h } = sleepEnvelope(10_000, 300);
    const started = Date.now();
    const reply = await raw.request('troupe.wire.agent.nats.slow', data, { headers: h, timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(4_000);
    const body = reply.json<{ ok: false; error: { code: string } }>();
    expect(body.error.code).toBe('TIMEOUT');
    expect(worker.transport.stats().expired).toBe(1);
    await raw.close();
  });

  it('should abort a handler on a cancel published on the control subject', async () => {
    await using server = await startNatsServer();
    const { Slow } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Slow],
    });
    const raw = await connect({ servers: server.url });
    const { env, data, headers: h } = sleepEnvelope(10_000);
    const replied = raw.request('troupe.wire.agent.nats.slow', data, { headers: h, timeout: 5_000 });
    await expect.poll(() => worker.transport.stats().inFlight).toBe(1);
    const reason = errorToWire(new CancelledError('stop it', { cause: new Error('user') }));
    raw.publish('troupe.wire.control.raw-run', enc.encode(JSON.stringify({ id: env.id, reason })));
    const body = (await replied).json<{
      ok: false;
      error: { code: string; message: string; cause?: { message: string } };
    }>();
    expect(body.error).toMatchObject({ code: 'CANCELLED', message: 'stop it', cause: { message: 'user' } });
    expect(worker.transport.stats().cancelled).toBe(1);
    await raw.close();
  });

  it('should refuse an ask larger than the server max payload before sending it', async () => {
    await using server = await startNatsServer({ maxPayload: 4096 });
    const { Who } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Who],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'wire',
    });
    const big = { type: WhoAsk.type, payload: { pad: 'x'.repeat(5_000) } };
    const err = await client
      .ref({ type: 'nats.who' })
      .ask(big)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).data).toMatchObject({ max: 4096 });
    expect(worker.transport.stats().received).toBe(0);
    // Just under the limit still goes through (the schema ignores the extra field).
    await expect(
      client.ref({ type: 'nats.who' }).ask({ type: WhoAsk.type, payload: { pad: 'x'.repeat(3_000) } }),
    ).resolves.toMatchObject({ worker: 'w' });
  });

  it('should answer a reply too large for the connection with PayloadTooLargeError', async () => {
    await using server = await startNatsServer({ maxPayload: 4096 });
    const { defineAgent, defineMessage, on } = await import('@troupe/core');
    const { z } = await import('zod');
    const Big = defineMessage('big.reply', z.object({ size: z.number() }));
    const Agent = defineAgent({
      type: 'nats.big',
      handles: { [Big.type]: on(Big, ({ size }) => 'y'.repeat(size)) },
    });
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Agent],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'wire',
    });
    const err = await client
      .ref(Agent)
      .ask(Big.create({ size: 10_000 }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(worker.transport.stats().replied).toBe(1);
  });

  it('should reject a tell nobody serves with NoRespondersError, and accept one that is served', async () => {
    await using server = await startNatsServer();
    const { Counter } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Counter],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'wire',
    });
    await expect(client.ref({ type: 'nats.nobody' }).tell(Inc.create({}))).rejects.toBeInstanceOf(
      NoRespondersError,
    );
    await client.ref({ type: 'nats.counter', key: 't' }).tell(Inc.create({}));
    await expect.poll(() => worker.transport.stats().delivered).toBe(1);
    await expect(client.ref({ type: 'nats.counter', key: 't' }).ask(Inc.create({}))).resolves.toMatchObject({
      count: 2,
    });
  });

  it('should time out an ask to a handler that never answers with TimeoutError, within its timeout', async () => {
    await using server = await startNatsServer();
    const { Slow } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'wire',
      agents: [Slow],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'wire',
    });
    const started = Date.now();
    const err = await client
      .ref(Slow)
      .ask(Sleep.create({ ms: 60_000 }), { timeout: 400 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect.poll(() => worker.transport.stats().inFlight).toBe(0);
  });
});

natsSuite('NatsTransport close', () => {
  it('should answer messages still running after closeTimeout with CancelledError, idempotently', async () => {
    await using server = await startNatsServer();
    const { Slow } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'close',
      agents: [Slow],
      closeTimeout: 200,
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'close',
    });
    const ask = client
      .ref(Slow)
      .ask(Sleep.create({ ms: 30_000 }), { timeout: 20_000 })
      .catch((e: unknown) => e);
    await expect.poll(() => worker.transport.stats().inFlight).toBe(1);
    const started = Date.now();
    await Promise.all([worker.transport.close(), worker.transport.close()]);
    const err = await ask;
    expect(err).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(worker.transport.connection?.isClosed()).toBe(true);
    await expect(
      worker.transport.request(sleepEnvelope(1).env, { signal: new AbortController().signal, timeout: 100 }),
    ).rejects.toMatchObject({ code: 'CLOSED' });
    // Closed on purpose: closed() resolves with no error.
    expect(await worker.transport.closed()).toBeUndefined();
  });

  it('should resolve closed() with the typed error when the connection is lost for good', async () => {
    await using server = await startNatsServer();
    const transport = await connectNats({
      connection: { servers: server.url, maxReconnectAttempts: 0 },
      progress: false,
    });
    await using _runtime = createRuntime({ transport, namespace: 'close' });
    await server.kill();
    const outcome = await transport.closed();
    expect(outcome).toBeInstanceOf(TransportError);
  });

  it('should throw typed errors for misuse: both connection and nc, or not attached', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      expect(() => new NatsTransport({ connection: { servers: server.url }, nc })).toThrow(ValidationError);
      const loose = new NatsTransport({ nc });
      await expect(loose.serve('nats.who')).rejects.toBeInstanceOf(ValidationError);
      await expect(
        loose.request(sleepEnvelope(1).env, { signal: new AbortController().signal, timeout: 100 }),
      ).rejects.toBeInstanceOf(ValidationError);
      await loose.close();
      expect(nc.isClosed()).toBe(false); // an nc it was given stays open
    } finally {
      await nc.close();
    }
  });
});
