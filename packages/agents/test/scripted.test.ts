import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ChatStreamEvent,
  IncompleteResponseError,
  InvalidResponseError,
  ScriptedModel,
  ServerError,
} from '../src/index.js';
import { collect } from './support/standIns.js';

const hi = [{ role: 'user' as const, content: 'hi there' }];
const Plan = z.object({
  steps: z.array(z.object({ name: z.string(), minutes: z.number().int().min(1).max(30) })),
  kind: z.enum(['a', 'b', 'c']),
});

describe('ScriptedModel', () => {
  it('should answer from its script, turn by turn, and record every request', async () => {
    const model = new ScriptedModel({
      script: [{ text: 'one' }, { text: 'two', usage: { inputTokens: 7, outputTokens: 2 } }],
    });
    expect((await model.chat({ messages: hi })).message.content).toBe('one');
    const second = await model.chat({ messages: hi, temperature: 0, maxTokens: 9, agent: 'writer' });
    expect(second.message.content).toBe('two');
    expect(second.usage).toEqual({ inputTokens: 7, outputTokens: 2 });
    expect(model.requests).toHaveLength(2);
    expect(model.requests[1]).toMatchObject({
      messages: hi,
      temperature: 0,
      maxTokens: 9,
      agent: 'writer',
      streamed: false,
    });
  });

  it('should keep recorded requests apart from the caller’s later changes', async () => {
    const model = new ScriptedModel();
    const messages = [{ role: 'user' as const, content: 'first' }];
    await model.chat({ messages });
    messages[0]!.content = 'changed';
    expect(model.requests[0]!.messages[0]!.content).toBe('first');
  });

  it('should follow a script per agent', async () => {
    const model = new ScriptedModel({ script: { planner: [{ text: 'plan' }], '*': [{ text: 'other' }] } });
    expect((await model.chat({ messages: hi, agent: 'planner' })).message.content).toBe('plan');
    expect((await model.chat({ messages: hi, agent: 'coder' })).message.content).toBe('other');
    expect((await model.chat({ messages: hi })).message.content).toMatch(/^Scripted reply 2 to: hi there/);
  });

  it('should be deterministic for a seed: sampled structured answers and latencies', async () => {
    const run = async (seed: number) => {
      const model = new ScriptedModel({ seed, latencyMs: [0, 3] });
      const out = [];
      for (let i = 0; i < 3; i++) out.push((await model.chat({ messages: hi, output: Plan })).output);
      return out;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(await run(7)).not.toEqual(a);
    for (const value of a) expect(Plan.safeParse(value).success).toBe(true);
  });

  it('should reject a scripted output that fails the schema', async () => {
    const model = new ScriptedModel({ script: [{ output: { steps: 'none' } }] });
    await expect(model.chat({ messages: hi, output: Plan })).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('should fail with scripted errors and recover through the retry policy', async () => {
    const model = new ScriptedModel({
      script: [{ error: new ServerError('boom') }, { text: 'fine' }],
      retry: { baseMs: 1 },
    });
    const result = await model.chat({ messages: hi });
    expect([result.message.content, result.attempts]).toEqual(['fine', 2]);
  });

  it('should stream text by words and tool arguments in pieces', async () => {
    const model = new ScriptedModel({
      script: [{ text: 'two words', toolCalls: [{ name: 'calc', arguments: { x: 1 } }] }],
    });
    const events = await collect(model.stream({ messages: hi }));
    expect(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text)).toEqual([
      'two ',
      'words',
    ]);
    const args = events.flatMap((e) => (e.type === 'tool_call' ? [e.arguments] : []));
    expect(args.join('')).toBe('{"x":1}');
    expect(args.length).toBe(2);
    const done = events.at(-1) as Extract<ChatStreamEvent, { type: 'done' }>;
    expect(done.result.toolCalls).toEqual([{ id: 'call_0_0', name: 'calc', arguments: '{"x":1}' }]);
    expect(model.requests[0]!.streamed).toBe(true);
  });

  it('should cut a stream when told to, with IncompleteResponseError', async () => {
    const model = new ScriptedModel({ script: [{ text: 'a b c d', cutStream: true }] });
    await expect(collect(model.stream({ messages: hi }))).rejects.toBeInstanceOf(IncompleteResponseError);
  });

  it('should publish stream deltas on deltas$ only to subscribers', async () => {
    const model = new ScriptedModel({ script: [{ text: 'a b' }, { text: 'c d' }] });
    await collect(model.stream({ messages: hi }));
    const seen: string[] = [];
    const sub = model.deltas$.subscribe((e) =>
      seen.push(`${e.model}:${e.agent}:${e.delta.type === 'text' ? e.delta.text : ''}`),
    );
    await collect(model.stream({ messages: hi, agent: 'w' }));
    sub.unsubscribe();
    expect(seen).toEqual(['scripted:w:c ', 'scripted:w:d']);
  });
});
