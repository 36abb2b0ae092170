import {
  anthropicError,
  anthropicEvents,
  anthropicMessage,
  type CutOptions,
  chatCompletion,
  chatCompletionChunks,
  type ModelServer,
  openaiError,
  responsesEvents,
  responsesResponse,
  type SseEvent,
  type StandInReply,
  type WireAnswer,
} from '@troupe/testing';
import { AnthropicModel, type ChatModel, type ModelCommonOptions, OpenAIModel } from '../../src/index.js';

/** A key that must never show up in errors, events or logs. */
export const SECRET_KEY = 'sk-standin-SECRET-0123456789abcdef';

/** An error condition to encode in a provider's wire format. */
export type ErrorKind = 'rate_limit' | 'server' | 'auth' | 'context_length' | 'overloaded';

/** One provider wire format: how to build its client against a stand-in and how to encode answers and errors. */
export interface StandIn {
  name: string;
  /** The API path the SDK posts to. */
  path: string;
  model(server: ModelServer, options?: ModelCommonOptions): ChatModel;
  json(answer: WireAnswer): StandInReply;
  sse(answer: WireAnswer, cut?: CutOptions): SseEvent[];
  error(kind: ErrorKind, headers?: Record<string, string>): StandInReply;
}

const openaiErrors: Record<ErrorKind, [number, { message: string; type?: string; code?: string }]> = {
  rate_limit: [
    429,
    { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
  ],
  server: [500, { message: 'The server had an error', type: 'server_error' }],
  auth: [
    401,
    {
      message: `Incorrect API key provided: ${SECRET_KEY}.`,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    },
  ],
  context_length: [
    400,
    {
      message: "This model's maximum context length is 128000 tokens.",
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
    },
  ],
  overloaded: [503, { message: 'The engine is currently overloaded', type: 'server_error' }],
};

const anthropicErrors: Record<ErrorKind, [number, { type: string; message: string }]> = {
  rate_limit: [
    429,
    { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
  ],
  server: [500, { type: 'api_error', message: 'Internal server error' }],
  auth: [401, { type: 'authentication_error', message: `invalid x-api-key: ${SECRET_KEY}` }],
  context_length: [
    400,
    { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' },
  ],
  overloaded: [529, { type: 'overloaded_error', message: 'Overloaded' }],
};

/** Chat Completions, the Responses API and Anthropic Messages, each against a local stand-in. */
export const standIns: StandIn[] = [
  {
    name: 'openai chat completions',
    path: '/v1/chat/completions',
    model: (server, options = {}) =>
      new OpenAIModel({
        ...options,
        model: 'gpt-standin',
        apiKey: SECRET_KEY,
        baseURL: `${server.url}/v1`,
        provider: 'openai',
      }),
    json: (answer) => ({ json: chatCompletion(answer) }),
    sse: (answer, cut) => chatCompletionChunks(answer, cut),
    error: (kind, headers) => openaiError(openaiErrors[kind][0], openaiErrors[kind][1], headers),
  },
  {
    name: 'openai responses',
    path: '/v1/responses',
    model: (server, options = {}) =>
      new OpenAIModel({
        ...options,
        model: 'gpt-standin',
        apiKey: SECRET_KEY,
        baseURL: `${server.url}/v1`,
        provider: 'openai',
        api: 'responses',
      }),
    json: (answer) => ({ json: responsesResponse(answer) }),
    sse: (answer, cut) => responsesEvents(answer, cut),
    error: (kind, headers) => openaiError(openaiErrors[kind][0], openaiErrors[kind][1], headers),
  },
  {
    name: 'anthropic messages',
    path: '/v1/messages',
    model: (server, options = {}) =>
      new AnthropicModel({ ...options, model: 'claude-standin', apiKey: SECRET_KEY, baseURL: server.url }),
    json: (answer) => ({ json: anthropicMessage(answer) }),
    sse: (answer, cut) => anthropicEvents(answer, cut),
    error: (kind, headers) => anthropicError(anthropicErrors[kind][0], anthropicErrors[kind][1], headers),
  },
];

/** Collects a stream's events. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** A progress sink that keeps what it gets. */
export function recorder(): { emit(event: unknown): void; events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  return {
    events,
    emit(event) {
      events.push(event as Record<string, unknown>);
    },
  };
}
