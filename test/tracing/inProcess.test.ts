import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ReActRun, reactAgent, ScriptedModel, tool } from '@troupe/agents';
import { createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { agentStep, run, sequential } from '@troupe/pipelines';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installTracing, isChildOf, only, type Tracing } from './support.js';

const add = tool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  run: ({ a, b }) => a + b,
});

const Ping = defineMessage('trace.ping', z.object({ n: z.number() }));
const Relay = defineMessage('trace.relay', z.object({ n: z.number() }));
const Echo = defineAgent({ type: 'trace.echo', handles: { [Ping.type]: on(Ping, ({ n }) => n) } });
const Relayer = defineAgent({
  type: 'trace.relayer',
  handles: {
    // Two awaits in: without a context manager only the handler ctx knows the span.
    [Relay.type]: on(Relay, async ({ n }, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return ctx.ask({ type: Echo.type }, Ping.create({ n }));
    }),
  },
});

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.[Symbol.asyncDispose]();
  tracing = undefined;
});

describe('tracing in one process', () => {
  it('should nest run → step → ask → handler → model call → tool call, with GenAI attributes', async () => {
    tracing = installTracing();
    await using runtime = createRuntime();
    const model = new ScriptedModel({
      name: 'scripted-calc',
      script: [
        {
          toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }],
          usage: { inputTokens: 40, outputTokens: 7 },
        },
        { text: '5', usage: { inputTokens: 55, outputTokens: 1 } },
      ],
    });
    await runtime.register(reactAgent({ type: 'calc', name: 'calc', model, tools: [add] }));
    const solve = agentStep(runtime.ref({ type: 'calc' }), (q: string) => ReActRun.create({ task: q }), {
      name: 'solve',
    });
    const handle = run(sequential([solve], { name: 'steps' }), 'what is 2 + 3?', { runtime, name: 'math' });
    await handle.result;

    const spans = tracing.spans();
    const runSpan = only(spans, 'run math');
    const steps = only(spans, 'step steps');
    const stepSpan = only(spans, 'step solve');
    const ask = only(spans, 'ask react.run');
    const handler = only(spans, 'handle react.run');
    const chats = spans.filter((s) => s.name === 'chat scripted-calc');
    const toolSpan = only(spans, 'execute_tool add');

    expect(runSpan.parentSpanContext).toBeUndefined();
    expect(isChildOf(steps, runSpan)).toBe(true);
    expect(isChildOf(stepSpan, steps)).toBe(true);
    expect(isChildOf(ask, stepSpan)).toBe(true);
    expect(isChildOf(handler, ask)).toBe(true);
    expect(chats).toHaveLength(2);
    for (const chat of chats) expect(isChildOf(chat, handler)).toBe(true);
    expect(isChildOf(toolSpan, handler)).toBe(true);

    expect(runSpan.attributes).toMatchObject({
      'troupe.run.id': handle.runId,
      'troupe.run.name': 'math',
      'troupe.run.status': 'completed',
    });
    expect(stepSpan.attributes).toMatchObject({ 'troupe.task.name': 'solve', 'troupe.task.agent': 'calc' });
    expect(ask.kind).toBe(SpanKind.CLIENT);
    expect(handler.kind).toBe(SpanKind.SERVER);
    expect(handler.attributes).toMatchObject({
      'troupe.message.type': 'react.run',
      'troupe.agent.type': 'calc',
      'troupe.agent.key': '_0',
    });
    const [first, second] = chats;
    expect(first?.kind).toBe(SpanKind.CLIENT);
    expect(first?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.system': 'scripted',
      'gen_ai.request.model': 'scripted-calc',
      'gen_ai.response.model': 'scripted-calc',
      'gen_ai.agent.name': 'calc',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['tool_calls'],
    });
    expect(second?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 55,
      'gen_ai.usage.output_tokens': 1,
    });
    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'add',
      'gen_ai.tool.type': 'function',
    });
    // The tool ran between the two model calls.
    expect(toolSpan.startTime >= (first?.endTime ?? toolSpan.startTime)).toBe(true);
    for (const s of spans) expect(s.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('should mark failed handlers, model calls and tools as errors', async () => {
    tracing = installTracing();
    await using runtime = createRuntime();
    const Boom = defineMessage('trace.boom', z.object({}));
    await runtime.register(
      defineAgent({
        type: 'trace.failing',
        handles: {
          [Boom.type]: on(Boom, () => {
            throw new Error('kaput');
          }),
        },
      }),
    );
    await expect(runtime.ref({ type: 'trace.failing' }).ask(Boom.create({}))).rejects.toThrow('kaput');
    const model = new ScriptedModel({
      script: [{ toolCalls: [{ name: 'add', arguments: { a: 'x' } }] }, { error: new Error('model down') }],
      retry: { maxRetries: 0 },
    });
    await model.chat({ messages: [{ role: 'user', content: 'add' }] });
    await expect(model.chat({ messages: [{ role: 'user', content: 'again' }] })).rejects.toThrow(
      'model down',
    );
    const { runToolCalls } = await import('@troupe/agents');
    await runToolCalls([{ id: 'c1', name: 'add', arguments: '{"a":"x"}' }], [add]);

    const spans = tracing.spans();
    const handler = only(spans, 'handle trace.boom');
    expect(handler.status.code).toBe(SpanStatusCode.ERROR);
    expect(handler.status.message).toContain('kaput');
    expect(handler.events.some((e) => e.name === 'exception')).toBe(true);
    expect(only(spans, 'ask trace.boom').status.code).toBe(SpanStatusCode.ERROR);
    const chats = spans.filter((s) => s.name === 'chat scripted');
    expect(chats.map((s) => s.status.code)).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR]);
    const badTool = only(spans, 'execute_tool add');
    expect(badTool.status.code).toBe(SpanStatusCode.ERROR);
    expect(badTool.attributes['error.type']).toBe('tool_error');
  });

  it('should keep a nested ask in the handler span without a context manager', async () => {
    tracing = installTracing({ contextManager: false });
    await using runtime = createRuntime();
    await runtime.register(Echo);
    await runtime.register(Relayer);
    expect(await runtime.ref({ type: Relayer.type }).ask(Relay.create({ n: 7 }))).toBe(7);
    const spans = tracing.spans();
    const outer = only(spans, 'ask trace.relay');
    const relay = only(spans, 'handle trace.relay');
    const inner = only(spans, 'ask trace.ping');
    const echo = only(spans, 'handle trace.ping');
    expect(isChildOf(relay, outer)).toBe(true);
    expect(isChildOf(inner, relay)).toBe(true);
    expect(isChildOf(echo, inner)).toBe(true);
  });

  it('should continue the caller’s active span and carry tracestate', async () => {
    tracing = installTracing();
    await using runtime = createRuntime();
    await runtime.register(Echo);
    const seen: Array<string | undefined> = [];
    await runtime.register(
      defineAgent({
        type: 'trace.peek',
        handles: {
          [Ping.type]: on(Ping, (_p, ctx) => {
            seen.push(ctx.envelope.traceparent, ctx.envelope.tracestate);
            return 0;
          }),
        },
      }),
    );
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('caller', async (caller) => {
      await runtime.ref({ type: Echo.type }).ask(Ping.create({ n: 1 }));
      caller.end();
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await runtime
      .ref({ type: 'trace.peek' })
      .ask(Ping.create({ n: 2 }), { traceparent, tracestate: 'vendor=abc' });
    // A malformed traceparent starts a new trace instead of failing the message.
    await runtime.ref({ type: Echo.type }).ask(Ping.create({ n: 3 }), { traceparent: 'not-a-traceparent' });

    const spans = tracing.spans();
    const caller = only(spans, 'caller');
    const asks = spans.filter((s) => s.name === 'ask trace.ping');
    expect(asks).toHaveLength(3);
    expect(isChildOf(asks[0]!, caller)).toBe(true);
    expect(asks[1]!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(asks[1]!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(seen[0]).toBe(`00-0af7651916cd43dd8448eb211c80319c-${asks[1]!.spanContext().spanId}-01`);
    expect(seen[1]).toBe('vendor=abc');
    expect(asks[2]!.parentSpanContext).toBeUndefined();
  });

  it('should make no span and pass trace context through as is when no provider is registered', async () => {
    await using runtime = createRuntime();
    const seen: Array<string | undefined> = [];
    await runtime.register(Echo);
    await runtime.register(
      defineAgent({
        type: 'trace.peek2',
        handles: {
          [Ping.type]: on(Ping, async (p, ctx) => {
            seen.push(
              ctx.envelope.traceparent,
              ctx.envelope.tracestate,
              String(trace.getSpan(context.active())),
            );
            return ctx.ask({ type: Echo.type }, Ping.create(p));
          }),
        },
      }),
    );
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await runtime.ref({ type: 'trace.peek2' }).ask(Ping.create({ n: 1 }), { traceparent, tracestate: 'k=v' });
    expect(seen).toEqual([traceparent, 'k=v', 'undefined']);
  });
});
