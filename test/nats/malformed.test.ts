/**
 * Hostile input on agent subjects: 10,000 malformed messages from a raw
 * nats.js client. Every request gets a typed error reply, plain publishes
 * are counted and dropped, and the worker still answers a valid ask after.
 */
import { randomBytes } from 'node:crypto';
import { connect, headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  createRuntime,
  errorFromWire,
  newId,
  PayloadTooLargeError,
  ValidationError,
  type WireError,
} from '@troupe/core';
import { connectNats, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { type Answer, Inc, WhoAsk, workerAgents } from './fixtures/agents.js';

const NS = 'hostile';
const SERVER_MAX = 256 * 1024;
const WORKER_MAX = 64 * 1024;

interface Case {
  kind: string;
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  /** The error code the reply must carry. */
  code: 'VALIDATION' | 'PAYLOAD_TOO_LARGE';
}

const enc = new TextEncoder();
const json = (value: unknown) => enc.encode(JSON.stringify(value));

function envelope(overrides: Record<string, unknown> = {}) {
  return {
    v: 1,
    id: newId(),
    type: WhoAsk.type,
    to: { type: 'nats.who' },
    ts: Date.now(),
    payload: {},
    ...overrides,
  };
}

function hdrs(values: Record<string, string>): MsgHdrs {
  const h = headers();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  return h;
}

function validHeaders(env: { id: unknown; type: unknown }): MsgHdrs {
  return hdrs({ type: String(env.type), id: String(env.id) });
}

const WHO = `troupe.${NS}.agent.nats.who`;
const COUNTER = `troupe.${NS}.instance.nats.counter`;

/** The i-th malformed input; kinds rotate so every kind is sent many times. */
function malformed(i: number): Case {
  switch (i % 10) {
    case 0:
      return { kind: 'random bytes', subject: WHO, data: randomBytes(1 + (i % 200)), code: 'VALIDATION' };
    case 1: {
      const h = hdrs({ type: WhoAsk.type, id: newId() });
      return {
        kind: 'random bytes, headers',
        subject: WHO,
        data: randomBytes(1 + (i % 300)),
        headers: h,
        code: 'VALIDATION',
      };
    }
    case 2: {
      const h = hdrs({ type: WhoAsk.type, id: newId() });
      return {
        kind: 'invalid JSON',
        subject: WHO,
        data: enc.encode(`{"v":1,"id":`),
        headers: h,
        code: 'VALIDATION',
      };
    }
    case 3: {
      const env = envelope({ v: 2, ts: 'yesterday' });
      return {
        kind: 'wrong schema',
        subject: WHO,
        data: json(env),
        headers: validHeaders(env),
        code: 'VALIDATION',
      };
    }
    case 4:
      return { kind: 'missing headers', subject: WHO, data: json(envelope()), code: 'VALIDATION' };
    case 5: {
      const env = envelope();
      const h = hdrs({ type: 'counter.inc', id: String(env.id) });
      return { kind: 'header/body mismatch', subject: WHO, data: json(env), headers: h, code: 'VALIDATION' };
    }
    case 6: {
      const env = envelope({ to: { type: 'nats.counter', key: 'a' } });
      const h = hdrs({ type: WhoAsk.type, id: String(env.id), key: 'a' });
      return {
        kind: 'key does not match subject',
        subject: `${COUNTER}.b`,
        data: json(env),
        headers: h,
        code: 'VALIDATION',
      };
    }
    case 7: {
      const env = envelope({ payload: { pad: 'x'.repeat(WORKER_MAX + (i % 1000) * 150) } });
      return {
        kind: 'oversized',
        subject: WHO,
        data: json(env),
        headers: validHeaders(env),
        code: 'PAYLOAD_TOO_LARGE',
      };
    }
    case 8:
      return {
        kind: 'JSON that is not an object',
        subject: WHO,
        data: json([1, 2, 3]),
        headers: hdrs({ type: 'x', id: 'y' }),
        code: 'VALIDATION',
      };
    default: {
      const env = envelope({ type: 'counter.inc', payload: { unexpected: true } });
      return {
        kind: 'message the agent does not handle',
        subject: WHO,
        data: json(env),
        headers: validHeaders(env),
        code: 'VALIDATION',
      };
    }
  }
}

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await each(items[next++] as T);
    }),
  );
}

async function sendAll(nc: NatsConnection, cases: Case[]): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await inParallel(cases, 64, async (c) => {
    const reply = await nc.request(c.subject, c.data, {
      timeout: 20_000,
      ...(c.headers ? { headers: c.headers } : {}),
    });
    expect(reply.headers?.get('troupe-reply'), c.kind).toBe('error');
    const body = reply.json<{ ok: boolean; error: WireError }>();
    expect(body.ok, c.kind).toBe(false);
    const error = errorFromWire(body.error);
    expect(error.code, c.kind).toBe(c.code);
    if (c.code === 'VALIDATION') {
      expect(error, c.kind).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.length, c.kind).toBeGreaterThan(0);
    } else {
      expect(error, c.kind).toBeInstanceOf(PayloadTooLargeError);
    }
    seen.set(c.kind, (seen.get(c.kind) ?? 0) + 1);
  });
  return seen;
}

natsSuite('NATS malformed input', () => {
  it('should answer 10,000 malformed requests with typed errors and keep serving', {
    timeout: 180_000,
  }, async () => {
    await using server = await startNatsServer({ maxPayload: SERVER_MAX });
    const { Who, Counter } = workerAgents('w');
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: NS,
      agents: [Who, Counter],
      maxPayload: WORKER_MAX,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const raw = await connect({ servers: server.url });
    try {
      const cases = Array.from({ length: 10_000 }, (_, i) => malformed(i));
      const seen = await sendAll(raw, cases);
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
      expect(seen.size).toBe(10);

      // The same garbage without a reply subject: nothing to answer, nothing breaks.
      for (const c of cases.slice(0, 1_000))
        raw.publish(c.subject, c.data, c.headers ? { headers: c.headers } : {});
      for (let i = 0; i < 200; i++) raw.publish(`troupe.${NS}.control.run-${i}`, randomBytes(i + 1));
      await raw.flush();
      // Kinds 0–8 are refused on arrival; kind 9 is a well-formed envelope the agent itself refuses.
      await expect.poll(() => worker.transport.stats().invalidDropped, { timeout: 20_000 }).toBe(900);
      await expect.poll(() => worker.transport.stats().badControl).toBe(200);
      const stats = worker.transport.stats();
      expect(stats.invalid).toBe(9_000 + 900);
      expect(stats.delivered).toBe(1_000 + 100);

      await using client = createRuntime({
        transport: await connectNats({ connection: { servers: server.url } }),
        namespace: NS,
      });
      expect(((await client.ref({ type: 'nats.who' }).ask(WhoAsk.create({}))) as Answer).worker).toBe('w');
      expect(
        ((await client.ref({ type: 'nats.counter', key: 'k' }).ask(Inc.create({}))) as { count: number })
          .count,
      ).toBe(1);
    } finally {
      await raw.close();
    }
  });

  it('should not log a line per malformed message: the first of each kind, then counts', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer({ maxPayload: SERVER_MAX });
    const { Who, Counter } = workerAgents('w');
    const warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
    const record = (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields });
    const worker = await startWorker({
      connection: { servers: server.url },
      namespace: NS,
      agents: [Who, Counter],
      maxPayload: WORKER_MAX,
      // One logger for the runtime and the transport: nothing either writes escapes the count.
      logger: { debug() {}, info() {}, warn: record, error: record },
    });
    const raw = await connect({ servers: server.url });
    try {
      // Plain publishes (no reply subject): kinds 0–8 are refused on arrival, kind 9 is a tell the agent refuses.
      for (let i = 0; i < 2_000; i++) {
        const c = malformed(i);
        raw.publish(c.subject, c.data, c.headers ? { headers: c.headers } : {});
      }
      await raw.flush();
      await expect.poll(() => worker.transport.stats().invalidDropped, { timeout: 20_000 }).toBe(1_800);
      await expect.poll(() => worker.transport.stats().delivered).toBe(200);
      await expect.poll(() => worker.transport.stats().inFlight).toBe(0);
      // One line per kind of trouble, however many arrived.
      expect(warnings.map((w) => w.message)).toEqual([
        expect.stringMatching(/^dropped an invalid message on troupe\.hostile\./),
        expect.stringMatching(/^a tell 'counter\.inc' failed: agent 'nats\.who' does not handle/),
      ]);
    } finally {
      await raw.close();
      await worker.close();
    }
    // Closing reports what was counted instead of logged.
    const counted = warnings.slice(2).map((w) => w.fields?.count as number);
    expect(counted.sort((x, y) => x - y)).toEqual([199, 1_799]);
    expect(warnings).toHaveLength(4);
  });
});
