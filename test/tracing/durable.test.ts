import { connect } from '@nats-io/transport-node';
import { context, createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createRuntime, defineAgent, defineMessage, on, ValidationError } from '@troupe/core';
import { connectNats, createDispatcher, startDurableWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { installTracing, isChildOf, only, type Tracing } from './support.js';

const Square = defineMessage('trace.square', z.object({ n: z.number() }));
const Squarer = defineAgent({
  type: 'trace.squarer',
  handles: { [Square.type]: on(Square, ({ n }) => n * n) },
});

const Relayed = defineMessage('trace.relayed', z.object({ n: z.number() }));
const Tick = defineMessage('trace.tick', z.void());
const Relay = defineAgent({
  type: 'trace.relay',
  handles: {
    [Relayed.type]: on(Relayed, ({ n }, ctx) => ctx.ask({ type: Squarer.type }, Square.create({ n }))),
    [Tick.type]: on(Tick, () => 'tock'),
  },
});

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.[Symbol.asyncDispose]();
  tracing = undefined;
});

natsSuite('tracing through durable dispatch', () => {
  it('should make the worker’s ask and handler spans children of the dispatch span, itself a child of the caller', {
    timeout: 60_000,
  }, async () => {
    tracing = installTracing();
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'traced-durable';
      await using runtime = createRuntime({ namespace });
      await runtime.register(Squarer);
      await using _worker = await startDurableWorker({ nc, runtime });
      await using dispatcher = await createDispatcher({ nc, namespace });
      const to = { type: Squarer.type };

      const tracer = trace.getTracer('test');
      const taskId = await tracer.startActiveSpan('caller', async (caller) => {
        const id = await dispatcher.dispatch({ to, message: Square.create({ n: 7 }), runId: 'r1' });
        caller.end();
        return id;
      });
      expect(await dispatcher.result(taskId, { timeout: 20_000 })).toBe(49);
      // An explicit context is continued, as ask's option is.
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const explicit = await dispatcher.dispatch({ to, message: Square.create({ n: 2 }), traceparent });
      expect(await dispatcher.result(explicit, { timeout: 20_000 })).toBe(4);
      // A context too long to carry is refused before it is queued.
      await expect(
        dispatcher.dispatch({ to, message: Square.create({ n: 3 }), traceparent: 'x'.repeat(257) }),
      ).rejects.toBeInstanceOf(ValidationError);

      // A parent whose tracestate is longer than a task carries (512): dropped, the task still runs.
      const members = Array.from({ length: 5 }, (_, i) => `k${i}=${'v'.repeat(150)}`).join(',');
      const bigState = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '1af7651916cd43dd8448eb211c80319c',
        spanId: 'c7ad6b7169203331',
        traceFlags: 1,
        isRemote: true,
        traceState: createTraceState(members),
      });
      const stated = await context.with(bigState, () =>
        dispatcher.dispatch({ to, message: Square.create({ n: 5 }) }),
      );
      expect(await dispatcher.outcome(stated, { timeout: 20_000 })).toMatchObject({ ok: true, value: 25 });

      await expect
        .poll(() => tracing?.spans().filter((s) => s.name === 'handle trace.square').length)
        .toBe(3);
      const spans = tracing.spans();
      const caller = only(spans, 'caller');
      const dispatches = spans.filter((s) => s.name === 'dispatch trace.square');
      const asks = spans.filter((s) => s.name === 'ask trace.square');
      const handlers = spans.filter((s) => s.name === 'handle trace.square');
      expect(dispatches).toHaveLength(3);
      const [first, second] = dispatches as [(typeof dispatches)[0], (typeof dispatches)[0]];
      expect(first.kind).toBe(SpanKind.PRODUCER);
      expect(first.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(first.attributes).toMatchObject({ 'troupe.task.id': taskId, 'troupe.run.id': 'r1' });
      expect(isChildOf(first, caller)).toBe(true);
      const firstAsk = asks.find((s) => isChildOf(s, first));
      expect(firstAsk).toBeDefined();
      expect(handlers.some((s) => firstAsk !== undefined && isChildOf(s, firstAsk))).toBe(true);
      expect(second.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(second.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(asks.some((s) => isChildOf(s, second))).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('should never fail a task over its trace context, and run payload-less messages, with tracing off', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const namespace = 'untraced-durable';
      const connection = { servers: server.url };
      // The squarer lives elsewhere: the relay's nested ask crosses NATS, where trace context is a header.
      await using elsewhere = createRuntime({ transport: await connectNats({ connection }), namespace });
      await elsewhere.register(Squarer);
      await using runtime = createRuntime({ transport: await connectNats({ connection }), namespace });
      await runtime.register(Relay);
      await using _worker = await startDurableWorker({ nc, runtime, types: [Relay.type] });
      await using dispatcher = await createDispatcher({ nc, namespace });
      const to = { type: Relay.type };
      for (const traceparent of [
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ',
        'abc\r\ndef',
        'not-a-traceparent',
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      ]) {
        const id = await dispatcher.dispatch({
          to,
          message: Relayed.create({ n: 3 }),
          traceparent,
          tracestate: ' x',
        });
        const outcome = await dispatcher.outcome(id, { timeout: 20_000 });
        expect(outcome, JSON.stringify(traceparent)).toMatchObject({ ok: true, value: 9 });
      }
      const id = await dispatcher.dispatch({ to, message: Tick.create() });
      const tock = await dispatcher.outcome(id, { timeout: 20_000 });
      expect(tock, JSON.stringify(tock)).toMatchObject({ ok: true, value: 'tock' });
    } finally {
      await nc.close();
    }
  });
});
