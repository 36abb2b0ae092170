/**
 * One trace across three processes over a real nats-server: this test process runs a pipeline whose
 * step asks worker A's agent, whose handler asks worker B's ReAct agent (a model call and a tool
 * call). Each process exports its own spans (here in memory, the workers to a JSON-lines file); the
 * W3C trace context rides in the envelope and the `traceparent` header.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { agentStep, run } from '@troupe/pipelines';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { Question } from './fixtures/messages.js';
import type { SpanLine } from './fixtures/spanFile.js';
import { installTracing } from './support.js';
import { spansOf, startTracedWorker } from './workers.js';

function one(spans: readonly SpanLine[], name: string): SpanLine {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1)
    throw new Error(`expected one '${name}', got ${found.length}: ${spans.map((s) => s.name)}`);
  return found[0] as SpanLine;
}

natsSuite('tracing across NATS', () => {
  // Two worker processes start from source (tsx): generous on a loaded machine.
  it('should make one trace of a run that crosses three processes, each nested ask a child of its handler', {
    timeout: 120_000,
  }, async () => {
    await using tracing = installTracing();
    await using server = await startNatsServer();
    const spansDir = await mkdtemp(join(tmpdir(), 'troupe-spans-'));
    await using _cleanup = { [Symbol.asyncDispose]: () => rm(spansDir, { recursive: true, force: true }) };
    const namespace = 'traced';
    const common = { url: server.url, namespace, spansDir };
    await using _a = await startTracedWorker({ ...common, name: 'worker-a', module: 'frontWorker.ts' });
    await using _b = await startTracedWorker({ ...common, name: 'worker-b', module: 'solverWorker.ts' });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace,
    });

    const askFront = agentStep(
      client.ref({ type: 'trace.front' }),
      (text: string) => Question.create({ text }),
      {
        name: 'ask front',
        timeout: 20_000,
      },
    );
    const handle = run(askFront, 'what is 2 + 3?', { runtime: client, name: 'cross' });
    expect(await handle.result).toMatchObject({ status: 'completed', answer: 'It is 5.' });

    const local: SpanLine[] = tracing.spans().map((s) => ({
      process: 'client',
      name: s.name,
      kind: s.kind,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId,
      attributes: { ...s.attributes },
      status: s.status.code,
    }));
    let a: SpanLine[] = [];
    let b: SpanLine[] = [];
    await expect
      .poll(
        async () => {
          a = await spansOf(spansDir, 'worker-a');
          b = await spansOf(spansDir, 'worker-b');
          return [a.length, b.length];
        },
        { timeout: 20_000, interval: 100 },
      )
      .toEqual([2, 4]);

    const runSpan = one(local, 'run cross');
    const stepSpan = one(local, 'step ask front');
    const clientAsk = one(local, 'ask trace.question');
    const frontHandler = one(a, 'handle trace.question');
    const nestedAsk = one(a, 'ask react.run');
    const solverHandler = one(b, 'handle react.run');
    const chats = b.filter((s) => s.name === 'chat scripted-solver');
    const toolCall = one(b, 'execute_tool add');

    const all = [...local, ...a, ...b];
    expect(new Set(all.map((s) => s.traceId)).size).toBe(1);
    expect(runSpan.parentSpanId).toBeUndefined();
    expect(stepSpan.parentSpanId).toBe(runSpan.spanId);
    expect(clientAsk.parentSpanId).toBe(stepSpan.spanId);
    expect(frontHandler.parentSpanId).toBe(clientAsk.spanId);
    expect(nestedAsk.parentSpanId).toBe(frontHandler.spanId);
    expect(solverHandler.parentSpanId).toBe(nestedAsk.spanId);
    expect(chats).toHaveLength(2);
    for (const s of [...chats, toolCall]) expect(s.parentSpanId).toBe(solverHandler.spanId);
    expect(frontHandler.attributes).toMatchObject({ 'troupe.agent.type': 'trace.front' });
    expect(chats[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'scripted-solver',
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 6,
    });
    expect(toolCall.attributes).toMatchObject({ 'gen_ai.tool.name': 'add' });
  });
});
