import {
  anthropicMessage,
  chatCompletion,
  chatCompletionChunks,
  responsesResponse,
  startModelServer,
} from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AnthropicModel,
  type ChatMessage,
  ContentFilterError,
  OpenAIModel,
  RateLimitError,
  ServerError,
  tool,
} from '../src/index.js';
import { collect, SECRET_KEY } from './support/standIns.js';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Oslo and Rome?' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' },
      { id: 'c2', name: 'weather', arguments: '{"city":"Rome"}' },
    ],
  },
  { role: 'tool', toolCallId: 'c1', name: 'weather', content: '4' },
  { role: 'tool', toolCallId: 'c2', name: 'weather', content: '21', isError: false },
];
const weather = tool({
  name: 'weather',
  description: 'Weather',
  input: z.object({ city: z.string() }),
  run: () => 0,
});
const Out = z.object({ answer: z.string() });

describe('OpenAI Chat Completions requests', () => {
  it('should send messages, strict tools, json_schema output and max_completion_tokens', async () => {
    await using server = await startModelServer();
    server.reply({ json: chatCompletion({ text: '{"answer":"Rome"}' }) });
    const model = new OpenAIModel({
      model: 'gpt-4.1-mini',
      apiKey: SECRET_KEY,
      baseURL: `${server.url}/v1`,
      compat: { maxTokensField: 'max_completion_tokens' },
    });
    await model.chat({
      messages: conversation,
      tools: [weather],
      toolChoice: { name: 'weather' },
      output: Out,
      maxTokens: 100,
      temperature: 0.2,
    });
    const req = server.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req.headers['x-stainless-retry-count']).toBe('0');
    expect(req.body).toMatchObject({
      model: 'gpt-4.1-mini',
      max_completion_tokens: 100,
      temperature: 0.2,
      tool_choice: { type: 'function', function: { name: 'weather' } },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
            { id: 'c2' },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '4' },
        { role: 'tool', tool_call_id: 'c2', content: '21' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            strict: true,
            parameters: { additionalProperties: false, required: ['city'] },
          },
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'output',
          strict: true,
          schema: { type: 'object', additionalProperties: false },
        },
      },
    });
  });

  it('should use JSON mode with the schema in a system message for json_object servers, and max_tokens', async () => {
    await using server = await startModelServer();
    server.reply({ json: chatCompletion({ text: '```json\n{"answer":"Rome"}\n```' }) });
    const model = new OpenAIModel({
      model: 'qwen-plus',
      baseURL: `${server.url}/v1`,
      compat: { structuredOutput: 'json_object' },
    });
    const result = await model.chat({
      messages: [{ role: 'user', content: 'hi' }],
      output: Out,
      maxTokens: 50,
    });
    expect(result.output).toEqual({ answer: 'Rome' });
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.max_tokens).toBe(50);
    expect(JSON.stringify(body.messages)).toContain('JSON Schema');
    expect(model.provider).toBe('openai-compatible');
  });

  it('should ask for usage in streams, and read cached tokens and reasoning', async () => {
    await using server = await startModelServer();
    server.reply({
      sse: chatCompletionChunks({
        text: 'hi',
        thinking: 'hmm',
        usage: { input: 100, output: 2, cached: 64 },
      }),
    });
    const model = new OpenAIModel({ model: 'qwen3', baseURL: `${server.url}/v1` });
    const events = await collect(model.stream({ messages: [{ role: 'user', content: 'hi' }] }));
    expect((server.requests[0]!.body as Record<string, unknown>).stream_options).toEqual({
      include_usage: true,
    });
    expect(events[0]).toEqual({ type: 'thinking', text: 'hmm' });
    const done = events.at(-1);
    expect(done?.type === 'done' && done.result.usage).toEqual({
      inputTokens: 100,
      outputTokens: 2,
      cacheReadTokens: 64,
    });
    expect(done?.type === 'done' && done.result.message.thinking).toEqual([{ text: 'hmm' }]);
  });

  it('should report tool calls as a tool_calls stop even when a server says stop', async () => {
    await using server = await startModelServer();
    server.reply({
      json: chatCompletion({ toolCalls: [{ id: 't', name: 'weather', arguments: '{}' }], stop: 'end' }),
    });
    const model = new OpenAIModel({ model: 'llama3.2', baseURL: `${server.url}/v1` });
    expect((await model.chat({ messages: [{ role: 'user', content: 'x' }] })).stopReason).toBe('tool_calls');
  });

  it('should fail a content_filter finish with ContentFilterError and a refusal too', async () => {
    await using server = await startModelServer();
    server.reply({ json: chatCompletion({ text: '', stop: 'content_filter' }) });
    const model = new OpenAIModel({ model: 'gpt', apiKey: SECRET_KEY, baseURL: `${server.url}/v1` });
    await expect(model.chat({ messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      ContentFilterError,
    );
  });

  it('should turn an error event inside a 200 stream into a typed error', async () => {
    await using server = await startModelServer();
    const events = chatCompletionChunks({ text: 'partial answer' }).slice(0, 2);
    server.reply({
      sse: [
        ...events,
        { data: { error: { message: 'Upstream overloaded', type: 'server_error', code: 502 } } },
      ],
    });
    const model = new OpenAIModel({ model: 'vendor/model', baseURL: `${server.url}/v1` });
    const err = await collect(model.stream({ messages: [{ role: 'user', content: 'x' }] })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServerError);
    expect((err as Error).message).toContain('Upstream overloaded');
  });

  it('should not retry an exhausted quota', async () => {
    await using server = await startModelServer();
    server.reply({
      status: 429,
      json: {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      },
    });
    const model = new OpenAIModel({ model: 'gpt', apiKey: SECRET_KEY, baseURL: `${server.url}/v1` });
    const err = await model.chat({ messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).isRetryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });
});

describe('OpenAI Responses API requests', () => {
  it('should send input items, function tools and text.format, stateless', async () => {
    await using server = await startModelServer();
    server.reply({
      json: responsesResponse({ text: '{"answer":"Rome"}', usage: { input: 30, output: 4, cached: 16 } }),
    });
    const model = new OpenAIModel({
      model: 'gpt-4.1',
      apiKey: SECRET_KEY,
      baseURL: `${server.url}/v1`,
      api: 'responses',
    });
    const result = await model.chat({
      messages: conversation,
      tools: [weather],
      output: Out,
      maxTokens: 64,
      toolChoice: 'required',
    });
    expect(result.output).toEqual({ answer: 'Rome' });
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 4, cacheReadTokens: 16 });
    expect(server.requests[0]!.body).toMatchObject({
      model: 'gpt-4.1',
      store: false,
      max_output_tokens: 64,
      tool_choice: 'required',
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        { type: 'function_call', call_id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call', call_id: 'c2', name: 'weather' },
        { type: 'function_call_output', call_id: 'c1', output: '4' },
        { type: 'function_call_output', call_id: 'c2', output: '21' },
      ],
      tools: [{ type: 'function', name: 'weather', strict: true }],
      text: { format: { type: 'json_schema', name: 'output', strict: true } },
    });
  });

  it('should report max_output_tokens as a max_tokens stop', async () => {
    await using server = await startModelServer();
    server.reply({ json: responsesResponse({ text: 'partial', stop: 'max_tokens' }) });
    const model = new OpenAIModel({
      model: 'gpt-4.1',
      apiKey: SECRET_KEY,
      baseURL: `${server.url}/v1`,
      api: 'responses',
    });
    expect((await model.chat({ messages: [{ role: 'user', content: 'x' }] })).stopReason).toBe('max_tokens');
  });
});

describe('Anthropic Messages requests', () => {
  it('should send system apart, group tool results in one user turn, and mark cache breakpoints', async () => {
    await using server = await startModelServer();
    server.reply({
      json: anthropicMessage({
        text: '{"answer":"Rome"}',
        usage: { input: 10, output: 3, cached: 500, cacheWrite: 40 },
      }),
    });
    const model = new AnthropicModel({ model: 'claude-sonnet-4-6', apiKey: SECRET_KEY, baseURL: server.url });
    const result = await model.chat({
      messages: conversation,
      tools: [weather],
      output: Out,
      cache: true,
      toolChoice: 'required',
    });
    expect(result.output).toEqual({ answer: 'Rome' });
    expect(result.usage).toEqual({
      inputTokens: 550,
      outputTokens: 3,
      cacheReadTokens: 500,
      cacheWriteTokens: 40,
    });
    const req = server.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req.body).toMatchObject({
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'any' },
      tools: [{ name: 'weather', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'c1', name: 'weather', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 'c2', name: 'weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'c1', content: '4' },
            { type: 'tool_result', tool_use_id: 'c2', content: '21', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    });
  });

  it('should keep thinking blocks with their signature', async () => {
    await using server = await startModelServer();
    server.reply({ json: anthropicMessage({ text: 'done', thinking: 'let me think' }) });
    const model = new AnthropicModel({ model: 'claude', apiKey: SECRET_KEY, baseURL: server.url });
    const result = await model.chat({ messages: [{ role: 'user', content: 'x' }] });
    expect(result.message.thinking).toEqual([{ text: 'let me think', signature: 'sig-standin' }]);
  });

  it('should fail a refusal with ContentFilterError', async () => {
    await using server = await startModelServer();
    server.reply({ json: anthropicMessage({ text: '', stop: 'content_filter' }) });
    const model = new AnthropicModel({ model: 'claude', apiKey: SECRET_KEY, baseURL: server.url });
    await expect(model.chat({ messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      ContentFilterError,
    );
  });
});
