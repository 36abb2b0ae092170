import { inspect } from 'node:util';
import { CancelledError, errorToWire, ProgressEventSchema, TimeoutError } from '@troupe/core';
import { startModelServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AuthenticationError,
  type ChatStreamEvent,
  ContextLengthError,
  IncompleteResponseError,
  InvalidResponseError,
  RateLimitError,
  ServerError,
} from '../src/index.js';
import { collect, recorder, SECRET_KEY, standIns } from './support/standIns.js';

const user = [{ role: 'user' as const, content: 'What is the weather in Oslo and Rome?' }];
const twoCalls = [
  { id: 'call_a', name: 'weather', arguments: '{"city":"Oslo"}' },
  { id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
];
const weatherTool = {
  name: 'weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const Answer = z.object({ warmer: z.string(), tempC: z.number() });
const noRetryJitter = { jitter: 'none' as const, baseMs: 1 };

describe.each(standIns)('$name against its stand-in', (standIn) => {
  it('should return text, usage and the request id', async () => {
    await using server = await startModelServer();
    server.reply(standIn.json({ text: 'Sunny.', usage: { input: 12, output: 3 } }));
    const result = await standIn.model(server).chat({ messages: user });
    expect(result.message.content).toBe('Sunny.');
    expect(result.toolCalls).toEqual([]);
    expect(result.stopReason).toBe('end');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 3 });
    expect(result.requestId).toBe('req_1');
    expect(result.attempts).toBe(1);
    expect(server.requests[0]?.path).toBe(standIn.path);
  });

  it('should return parallel tool calls with their raw arguments', async () => {
    await using server = await startModelServer();
    server.reply(standIn.json({ toolCalls: twoCalls }));
    const result = await standIn.model(server).chat({ messages: user, tools: [weatherTool] });
    expect(result.stopReason).toBe('tool_calls');
    expect(result.toolCalls.map((c) => [c.id, c.name, JSON.parse(c.arguments)])).toEqual([
      ['call_a', 'weather', { city: 'Oslo' }],
      ['call_b', 'weather', { city: 'Rome' }],
    ]);
  });

  it('should parse structured output with the zod schema', async () => {
    await using server = await startModelServer();
    server.reply(standIn.json({ text: '{"warmer":"Rome","tempC":21}' }));
    const result = await standIn.model(server).chat({ messages: user, output: Answer });
    expect(result.output).toEqual({ warmer: 'Rome', tempC: 21 });
  });

  it('should refuse structured output that fails its schema', async () => {
    await using server = await startModelServer();
    server.reply(standIn.json({ text: '{"warmer":"Rome"}' }));
    const err = await standIn
      .model(server)
      .chat({ messages: user, output: Answer })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as Error).message).toContain('tempC');
  });

  it('should stream text and tool-call deltas, then the same result', async () => {
    await using server = await startModelServer();
    server.reply({
      sse: standIn.sse({ text: 'Checking both.', toolCalls: twoCalls, usage: { input: 20, output: 9 } }),
    });
    const events = await collect(standIn.model(server).stream({ messages: user, tools: [weatherTool] }));
    const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
    expect(text).toBe('Checking both.');
    const args = events.flatMap((e) => (e.type === 'tool_call' ? [[e.index, e.arguments]] : []));
    expect(
      args
        .filter(([i]) => i === 1)
        .map(([, a]) => a)
        .join(''),
    ).toBe('{"city":"Rome"}');
    const done = events.at(-1) as Extract<ChatStreamEvent, { type: 'done' }>;
    expect(done.type).toBe('done');
    expect(done.result.toolCalls.map((c) => c.arguments)).toEqual(['{"city":"Oslo"}', '{"city":"Rome"}']);
    expect(done.result.usage).toMatchObject({ inputTokens: 20, outputTokens: 9 });
    expect(done.result.message.content).toBe('Checking both.');
  });

  it('should stream structured output and parse it at the end', async () => {
    await using server = await startModelServer();
    server.reply({ sse: standIn.sse({ text: '{"warmer":"Rome","tempC":21}' }) });
    const events = await collect(standIn.model(server).stream({ messages: user, output: Answer }));
    const done = events.at(-1) as Extract<ChatStreamEvent, { type: 'done' }>;
    expect(done.result.output).toEqual({ warmer: 'Rome', tempC: 21 });
  });

  for (const cut of ['end', 'destroy'] as const) {
    it(`should fail a stream cut mid tool-call arguments (${cut}) with IncompleteResponseError, never an answer`, async () => {
      await using server = await startModelServer();
      server.reply({ sse: standIn.sse({ toolCalls: twoCalls }, { cutMidToolArguments: true }), cut });
      const seen: ChatStreamEvent[] = [];
      const err = await (async () => {
        for await (const event of standIn.model(server).stream({ messages: user, tools: [weatherTool] }))
          seen.push(event);
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IncompleteResponseError);
      expect(seen.some((e) => e.type === 'done')).toBe(false);
      expect(seen.some((e) => e.type === 'tool_call')).toBe(true);
      // Deltas were handed out, so the stream is not retried.
      expect(server.requests).toHaveLength(1);
    });
  }

  it('should wait retry-after seconds on 429, then succeed', async () => {
    await using server = await startModelServer();
    server.reply(standIn.error('rate_limit', { 'retry-after': '0.3' }), standIn.json({ text: 'ok' }));
    const started = performance.now();
    const result = await standIn.model(server, { retry: noRetryJitter }).chat({ messages: user });
    expect(result.message.content).toBe('ok');
    expect(result.attempts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('should wait retry-after-ms on 429, then succeed', async () => {
    await using server = await startModelServer();
    server.reply(
      standIn.error('rate_limit', { 'retry-after-ms': '250', 'retry-after': '30' }),
      standIn.json({ text: 'ok' }),
    );
    const started = performance.now();
    const result = await standIn
      .model(server, { retry: noRetryJitter })
      .chat({ messages: user, timeout: 10_000 });
    expect(result.attempts).toBe(2);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(240);
    expect(waited).toBeLessThan(10_000);
  });

  it('should report a retry-after longer than the deadline at once, uncapped', async () => {
    await using server = await startModelServer();
    server.reply(standIn.error('rate_limit', { 'retry-after': '120' }), standIn.json({ text: 'never' }));
    const started = performance.now();
    const err = await standIn
      .model(server)
      .chat({ messages: user, timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(120_000);
    expect((err as RateLimitError).isRetryable).toBe(true);
    expect((err as RateLimitError).requestId).toBe('req_1');
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(server.requests).toHaveLength(1);
  });

  it('should retry a 500 and succeed', async () => {
    await using server = await startModelServer();
    server.reply(standIn.error('server'), standIn.json({ text: 'recovered' }));
    const progress = recorder();
    const result = await standIn.model(server, { retry: noRetryJitter }).chat({ messages: user, progress });
    expect(result.message.content).toBe('recovered');
    expect(result.attempts).toBe(2);
    expect(progress.events.map((e) => e.kind)).toEqual(['task.log', 'task.model_call', 'task.tokens']);
  });

  it('should give up after the policy’s retries with ServerError', async () => {
    await using server = await startModelServer();
    server.reply(standIn.error('overloaded'), standIn.error('overloaded'), standIn.error('overloaded'));
    const err = await standIn
      .model(server, { retry: { ...noRetryJitter, maxRetries: 2 } })
      .chat({ messages: user })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(3);
  });

  it('should fail a 401 with AuthenticationError, once, without the key anywhere', async () => {
    await using server = await startModelServer();
    server.reply(standIn.error('auth'), standIn.json({ text: 'never' }));
    const progress = recorder();
    const err = await standIn
      .model(server)
      .chat({ messages: user, progress })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).isRetryable).toBe(false);
    expect((err as AuthenticationError).status).toBe(401);
    expect(server.requests).toHaveLength(1);
    const everything = [
      (err as Error).message,
      (err as Error).stack,
      inspect(err, { depth: 10 }),
      JSON.stringify(errorToWire(err)),
      JSON.stringify(progress.events),
    ].join('\n');
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toMatch(/Bearer\s+sk-/);
    expect(everything).toContain('[redacted]');
  });

  it('should map a too-long prompt to ContextLengthError', async () => {
    await using server = await startModelServer();
    server.reply(standIn.error('context_length'));
    const err = await standIn
      .model(server)
      .chat({ messages: user })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContextLengthError);
    expect(server.requests).toHaveLength(1);
  });

  it('should fail malformed JSON with InvalidResponseError', async () => {
    await using server = await startModelServer();
    server.reply({ body: '{"id": "x", "choices": [' });
    const err = await standIn
      .model(server)
      .chat({ messages: user })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(server.requests).toHaveLength(1);
  });

  it('should abort a slow response through the signal; the server sees the connection close', async () => {
    await using server = await startModelServer();
    server.reply({ hang: true });
    const controller = new AbortController();
    const call = standIn.model(server).chat({ messages: user, signal: controller.signal });
    await expect.poll(() => server.requests.length).toBe(1);
    controller.abort(new Error('user pressed stop'));
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(await server.requests[0]!.closed).toEqual({ finished: false });
  });

  it('should abort a slow stream at its deadline with TimeoutError; the server sees the close', async () => {
    await using server = await startModelServer();
    server.reply({ sse: standIn.sse({ text: 'a very slow answer indeed' }), intervalMs: 60_000 });
    const err = await collect(standIn.model(server).stream({ messages: user, timeout: 300 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(await server.requests[0]!.closed).toEqual({ finished: false });
  });

  it('should emit schema-valid task.model_call and task.tokens events with cost', async () => {
    await using server = await startModelServer();
    server.reply(standIn.json({ text: 'hi', usage: { input: 1_000, output: 500 } }));
    const progress = recorder();
    const model = standIn.model(server, { prices: { [model_(standIn.name)]: { input: 2, output: 8 } } });
    await model.chat({ messages: user, progress, agent: 'writer/1' });
    const [call, tokens] = progress.events;
    expect(call).toMatchObject({
      kind: 'task.model_call',
      inputTokens: 1_000,
      outputTokens: 500,
      stopReason: 'end',
      requestId: 'req_1',
      agent: 'writer/1',
      attempts: 1,
    });
    expect(call!.costUsd).toBeCloseTo((1_000 * 2 + 500 * 8) / 1e6, 10);
    expect(call!.latencyMs).toBeGreaterThan(0);
    expect(tokens).toMatchObject({ kind: 'task.tokens', input: 1_000, output: 500 });
    for (const e of progress.events)
      ProgressEventSchema.parse({ ...e, runId: 'r', taskId: 't', ts: 1, seq: 1 });
  });
});

function model_(name: string): string {
  return name.startsWith('anthropic') ? 'claude-standin' : 'gpt-standin';
}
