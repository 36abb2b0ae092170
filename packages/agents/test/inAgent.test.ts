import {
  createRuntime,
  defineAgent,
  defineMessage,
  MemoryStore,
  on,
  type ProgressEvent,
  ProgressEventSchema,
} from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ChatModel, ConversationMemory, memoryKey, ScriptedModel } from '../src/index.js';

const Ask = defineMessage('chat.ask', z.object({ text: z.string() }));

function chatAgent(model: ChatModel, options: { stream?: boolean } = {}) {
  return defineAgent({
    type: 'chatter',
    handles: {
      [Ask.type]: on(Ask, async ({ text }, ctx) => {
        const request = {
          messages: [{ role: 'user' as const, content: text }],
          progress: ctx,
          signal: ctx.signal,
        };
        if (!options.stream) return (await model.chat(request)).message.content;
        let answer = '';
        for await (const event of model.stream(request))
          if (event.type === 'done') answer = event.result.message.content;
        return answer;
      }),
    },
  });
}

describe('a model inside an agent', () => {
  it('should report task.model_call and task.tokens on runtime.progress$, with run and task filled in', async () => {
    const model = new ScriptedModel({
      script: [{ text: 'hello', usage: { inputTokens: 11, outputTokens: 2 } }],
      prices: { scripted: { input: 1, output: 2 } },
    });
    await using runtime = createRuntime();
    await runtime.register(chatAgent(model));
    const events: ProgressEvent[] = [];
    const sub = runtime.progress$.subscribe((e) => events.push(e));
    expect(await runtime.ref({ type: 'chatter' }).ask(Ask.create({ text: 'hi' }), { timeout: 5_000 })).toBe(
      'hello',
    );
    sub.unsubscribe();
    const call = events.find((e) => e.kind === 'task.model_call');
    expect(call).toMatchObject({
      model: 'scripted',
      provider: 'scripted',
      inputTokens: 11,
      outputTokens: 2,
      stopReason: 'end',
      agent: expect.stringContaining('chatter'),
    });
    expect(call?.kind === 'task.model_call' && call.costUsd).toBeCloseTo(15 / 1e6, 12);
    const tokens = events.find((e) => e.kind === 'task.tokens');
    expect(tokens).toMatchObject({ input: 11, output: 2, runId: call?.runId, taskId: call?.taskId });
    for (const e of events) expect(() => ProgressEventSchema.parse(e)).not.toThrow();
  });

  it('should keep streamed deltas off progress$, for deltas$ subscribers only', async () => {
    const model = new ScriptedModel({ script: [{ text: 'one two three' }] });
    await using runtime = createRuntime();
    await runtime.register(chatAgent(model, { stream: true }));
    const kinds: string[] = [];
    const deltas: string[] = [];
    const a = runtime.progress$.subscribe((e) => kinds.push(e.kind));
    const b = model.deltas$.subscribe((e) => deltas.push(e.delta.type === 'text' ? e.delta.text : ''));
    expect(
      await runtime.ref({ type: 'chatter' }).ask(Ask.create({ text: 'count' }), { timeout: 5_000 }),
    ).toBe('one two three');
    a.unsubscribe();
    b.unsubscribe();
    expect(deltas).toEqual(['one ', 'two ', 'three']);
    expect(kinds).toEqual(['task.started', 'task.model_call', 'task.tokens', 'task.completed']);
  });
});

describe('conversation memory in a Store', () => {
  const Say = defineMessage('memo.say', z.object({ text: z.string() }));

  function rememberingAgent(model: ScriptedModel, store: MemoryStore) {
    return defineAgent({
      type: 'memo',
      passivateAfterMs: 50,
      handles: {
        [Say.type]: on(Say, async ({ text }, ctx) => {
          const memory = await ConversationMemory.load({ store, key: memoryKey(ctx.self), maxTokens: 2_000 });
          await memory.append({ role: 'user', content: text });
          const { message } = await model.chat({ messages: memory.messages, progress: ctx });
          await memory.append(message);
          return memory.messages.length;
        }),
      },
    });
  }

  it('should carry a keyed agent’s conversation across passivation and to another runtime', async () => {
    const store = new MemoryStore();
    const model = new ScriptedModel();
    {
      await using first = createRuntime({ store });
      await first.register(rememberingAgent(model, store));
      const ann = first.ref({ type: 'memo', key: 'ann' });
      expect(await ann.ask(Say.create({ text: 'my name is Ann' }), { timeout: 5_000 })).toBe(2);
      // Passivated after 50 ms idle: the next message reactivates the instance from scratch.
      await expect.poll(() => store.keys('agents/'), { timeout: 5_000 }).toHaveLength(1);
      expect(await ann.ask(Say.create({ text: 'what is my name?' }), { timeout: 5_000 })).toBe(4);
    }
    await using second = createRuntime({ store });
    await second.register(rememberingAgent(model, store));
    expect(
      await second
        .ref({ type: 'memo', key: 'ann' })
        .ask(Say.create({ text: 'still there?' }), { timeout: 5_000 }),
    ).toBe(6);
    expect(model.requests.at(-1)!.messages.map((m) => m.content)[0]).toBe('my name is Ann');
    expect(await store.keys('memory/')).toEqual(['memory/memo/ann']);
  });
});
