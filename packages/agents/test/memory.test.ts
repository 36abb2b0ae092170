import { MemoryStore, TimeoutError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import {
  type ChatMessage,
  ConversationMemory,
  dropOldest,
  messageTokens,
  ScriptedModel,
  summarizeWith,
} from '../src/index.js';

/** One token per character makes the bounds easy to read. */
const countTokens = (text: string) => text.length;
const msg = (role: 'user' | 'assistant', content: string): ChatMessage => ({ role, content });

describe('ConversationMemory', () => {
  it('should stay within its token bound, keeping the system prompt and the latest turns', async () => {
    const memory = new ConversationMemory({ maxTokens: 60, countTokens });
    await memory.append({ role: 'system', content: 'be kind' });
    for (let i = 0; i < 10; i++) await memory.append(msg(i % 2 ? 'assistant' : 'user', `message ${i}`));
    expect(memory.tokens).toBeLessThanOrEqual(60);
    expect(memory.messages[0]).toEqual({ role: 'system', content: 'be kind' });
    expect(memory.messages.at(-1)).toEqual(msg('assistant', 'message 9'));
    expect(memory.messages.length).toBeLessThan(11);
  });

  it('should never keep a tool result whose call was dropped', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'look it up' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'a', name: 'search', arguments: '{"q":"x"}' },
          { id: 'b', name: 'search', arguments: '{"q":"y"}' },
        ],
      },
      { role: 'tool', toolCallId: 'a', name: 'search', content: 'result a' },
      { role: 'tool', toolCallId: 'b', name: 'search', content: 'result b' },
      { role: 'user', content: 'and now?' },
    ];
    const count = (m: ChatMessage) => messageTokens(m, countTokens);
    const total = messages.reduce((n, m) => n + count(m), 0);
    // Dropping the first user message is not enough; dropping the assistant's calls orphans both results.
    const maxTokens = total - count(messages[0]!) - 1;
    const kept = dropOldest(messages, {
      maxTokens,
      count,
      signal: new AbortController().signal,
    }) as ChatMessage[];
    expect(kept).toEqual([{ role: 'user', content: 'and now?' }]);
  });

  it('should summarise older turns with a model through the compaction hook', async () => {
    const summarizer = new ScriptedModel({ script: [{ text: 'Ann asked about Oslo; it is 4 °C.' }] });
    const memory = new ConversationMemory({
      maxTokens: 110,
      countTokens,
      compact: summarizeWith(summarizer),
    });
    await memory.append({ role: 'system', content: 'sys' });
    await memory.append(msg('user', 'What is the weather in Oslo right now, please?'));
    await memory.append(msg('assistant', 'It is 4 degrees and raining in Oslo today.'));
    await memory.append(msg('user', 'And tomorrow?'));
    expect(summarizer.requests).toHaveLength(1);
    expect(summarizer.requests[0]!.messages[1]!.content).toContain('user: What is the weather in Oslo');
    expect(memory.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'system', content: 'Summary of the earlier conversation:\nAnn asked about Oslo; it is 4 °C.' },
      msg('user', 'And tomorrow?'),
    ]);
  });

  it('should hold the bound even when a compactor does not', async () => {
    const memory = new ConversationMemory({
      maxTokens: 30,
      countTokens,
      compact: (messages) => [...messages],
    });
    for (let i = 0; i < 5; i++) await memory.append(msg('user', `message number ${i}`));
    expect(memory.tokens).toBeLessThanOrEqual(30);
  });

  it('should bound a compaction by its timeout', async () => {
    const memory = new ConversationMemory({
      maxTokens: 10,
      countTokens,
      compact: () => new Promise(() => {}),
    });
    await expect(memory.append(msg('user', 'a long message'), { timeout: 50 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('should save to and load from a Store', async () => {
    const store = new MemoryStore();
    const memory = await ConversationMemory.load({ store, key: 'memory/writer/w1' });
    await memory.append([msg('user', 'hi'), msg('assistant', 'hello')]);
    const again = await ConversationMemory.load({ store, key: 'memory/writer/w1' });
    expect(again.messages).toEqual([msg('user', 'hi'), msg('assistant', 'hello')]);
    await again.clear();
    expect((await ConversationMemory.load({ store, key: 'memory/writer/w1' })).messages).toEqual([]);
  });
});
