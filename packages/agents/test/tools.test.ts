import { CancelledError, TimeoutError, ValidationError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { previewValue, redactSensitive, runToolCalls, tool } from '../src/index.js';
import { recorder } from './support/standIns.js';

const ctx = { signal: new AbortController().signal, callId: 'c1' };
const searchInput = z.object({
  query: z.string().min(1).describe('what to look for'),
  limit: z.number().int().max(10).optional(),
});
const search = tool({
  name: 'search',
  description: 'Searches the web',
  input: searchInput,
  run: ({ query, limit }) => ({ query, hits: limit ?? 3 }),
});

describe('tool()', () => {
  it('should describe its input with zod 4’s JSON Schema', () => {
    const { $schema: _, ...expected } = z.toJSONSchema(searchInput, { io: 'input' });
    expect(search.parameters).toEqual(expected);
    expect(search.parameters).toMatchObject({ type: 'object', required: ['query'] });
    expect((search.parameters.properties as Record<string, unknown>).query).toEqual({
      type: 'string',
      minLength: 1,
      description: 'what to look for',
    });
    expect(search.parameters.$schema).toBeUndefined();
    expect(search.strict).toBe(false);
    const strict = tool({
      name: 'add',
      description: 'a+b',
      input: z.object({ a: z.number(), b: z.number() }),
      run: ({ a, b }) => a + b,
    });
    expect([strict.strict, strict.parameters.additionalProperties]).toEqual([true, false]);
  });

  it('should refuse a name providers would reject', () => {
    expect(() => tool({ name: 'web search', description: '', input: z.object({}), run: () => 1 })).toThrow(
      ValidationError,
    );
  });

  it('should run with valid arguments, as JSON text or a value', async () => {
    expect(await search.call('{"query":"troupe"}', ctx)).toEqual({
      ok: true,
      value: { query: 'troupe', hits: 3 },
      content: '{"query":"troupe","hits":3}',
    });
    expect((await search.call({ query: 'x', limit: 2 }, ctx)).content).toBe('{"query":"x","hits":2}');
  });

  it('should turn bad JSON, schema failures, thrown errors and bad results into error observations', async () => {
    expect(await search.call('{"query": ', ctx)).toMatchObject({
      ok: false,
      content: expect.stringMatching(/^Error: arguments are not valid JSON/),
    });
    const invalid = await search.call('{"query":"","limit":50}', ctx);
    expect(invalid.ok).toBe(false);
    expect(invalid.content).toMatch(/^Error: invalid arguments for search: query: .*; limit: /);
    const throws = tool({
      name: 'boom',
      description: '',
      input: z.object({}),
      run: () => {
        throw new Error('disk full');
      },
    });
    expect(await throws.call('{}', ctx)).toMatchObject({ ok: false, error: 'boom failed: disk full' });
    const lies = tool({
      name: 'lies',
      description: '',
      input: z.object({}),
      output: z.number(),
      run: () => 'not a number' as unknown as number,
    });
    expect((await lies.call('', ctx)).content).toMatch(/^Error: lies returned an invalid result/);
  });

  it('should reject, not observe, when the run is aborted', async () => {
    const controller = new AbortController();
    const slow = tool({
      name: 'slow',
      description: '',
      input: z.object({}),
      run: (_input, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
    });
    const call = slow.call('{}', { signal: controller.signal, callId: 'x' });
    controller.abort(new CancelledError('user stop'));
    await expect(call).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('runToolCalls', () => {
  it('should answer every call in order, unknown tools included, and emit started/finished events', async () => {
    const progress = recorder();
    const messages = await runToolCalls(
      [
        { id: 'a', name: 'search', arguments: '{"query":"x"}' },
        { id: 'b', name: 'nope', arguments: '{}' },
      ],
      [search],
      { progress, agent: 'researcher/1' },
    );
    expect(messages).toEqual([
      { role: 'tool', toolCallId: 'a', name: 'search', content: '{"query":"x","hits":3}' },
      {
        role: 'tool',
        toolCallId: 'b',
        name: 'nope',
        content: "Error: unknown tool 'nope'; available tools: search",
        isError: true,
      },
    ]);
    expect(progress.events.slice(0, 2)).toEqual([
      {
        kind: 'task.tool_call',
        tool: 'search',
        callId: 'a',
        status: 'started',
        agent: 'researcher/1',
        args: { query: 'x' },
      },
      {
        kind: 'task.tool_call',
        tool: 'nope',
        callId: 'b',
        status: 'started',
        agent: 'researcher/1',
        args: {},
      },
    ]);
    // The two calls run concurrently, so they may finish in either order.
    expect(progress.events.slice(2)).toHaveLength(2);
    expect(progress.events.slice(2)).toEqual(
      expect.arrayContaining([
        {
          kind: 'task.tool_call',
          tool: 'search',
          callId: 'a',
          status: 'succeeded',
          agent: 'researcher/1',
          result: { query: 'x', hits: 3 },
        },
        {
          kind: 'task.tool_call',
          tool: 'nope',
          callId: 'b',
          status: 'failed',
          agent: 'researcher/1',
          error: "unknown tool 'nope'; available tools: search",
        },
      ]),
    );
  });

  it('should bound and redact arguments and results in events', async () => {
    const progress = recorder();
    const login = tool({
      name: 'login',
      description: '',
      input: z.object({ user: z.string(), password: z.string(), note: z.string() }),
      run: () => ({ token: 'abc123', body: 'x'.repeat(5_000) }),
    });
    await runToolCalls(
      [
        {
          id: 'l',
          name: 'login',
          arguments: JSON.stringify({ user: 'ann', password: 'hunter22', note: 'Bearer sk-live-abcdefghij' }),
        },
      ],
      [login],
      {
        progress,
        preview: { maxChars: 200 },
      },
    );
    const json = JSON.stringify(progress.events);
    expect(json).not.toContain('hunter22');
    expect(json).not.toContain('abc123');
    expect(json).not.toContain('sk-live-abcdefghij');
    expect(progress.events[0]!.args).toEqual({
      user: 'ann',
      password: '[redacted]',
      note: 'Bearer [redacted]',
    });
    const result = progress.events[1]!.result as string;
    expect(result.length).toBeLessThan(260);
    expect(result).toMatch(/… \(\d+ more chars\)$/);
  });

  it('should take a custom redaction', () => {
    expect(previewValue({ ssn: '123' }, { redact: () => '[hidden]' })).toBe('[hidden]');
    expect(redactSensitive({ nested: [{ apiKey: 'k', ok: 1 }] })).toEqual({
      nested: [{ apiKey: '[redacted]', ok: 1 }],
    });
  });

  it('should give up at its timeout even when a tool ignores its signal', async () => {
    const stuck = tool({
      name: 'stuck',
      description: '',
      input: z.object({}),
      run: () => new Promise(() => {}),
    });
    const started = performance.now();
    await expect(
      runToolCalls([{ id: 's', name: 'stuck', arguments: '{}' }], [stuck], { timeout: 100 }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('should reject with the abort reason when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new CancelledError('stop'));
    await expect(
      runToolCalls([{ id: 'a', name: 'search', arguments: '{}' }], [search], { signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
