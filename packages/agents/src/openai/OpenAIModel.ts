import OpenAI from 'openai';
import type { Observable } from 'rxjs';
import type { DriverResult, DriverStreamEvent, ModelDriver, PreparedRequest } from '../model/driver.js';
import { MissingApiKeyError } from '../model/errors.js';
import { type ModelCommonOptions, ModelEngine } from '../model/ModelEngine.js';
import { registerSecret } from '../model/redact.js';
import type { ChatModel, ChatRequest, ChatResult, ChatStreamEvent, ModelDeltaEvent } from '../model/types.js';
import { chatBody, fromChatCompletion } from './chatCompletions.js';
import { ChatStreamAccumulator } from './chatStream.js';
import { GENERIC_COMPAT, OPENAI_COMPAT, type OpenAICompat } from './compat.js';
import { fromOpenAIError } from './openaiErrors.js';
import { fromResponse, responsesBody } from './responses.js';
import { ResponsesStreamAccumulator } from './responsesStream.js';

/** Options of {@link OpenAIModel}. */
export interface OpenAIModelOptions extends ModelCommonOptions {
  /** Model id, e.g. `gpt-4.1-mini`, or the served name on a compatible server (`llama3.2`, `qwen-plus`). */
  model: string;
  /** API key (default `OPENAI_API_KEY` for OpenAI itself; compatible servers may need none). */
  apiKey?: string;
  /** Server root ending in `/v1`, for OpenAI-compatible servers (Ollama, vLLM, DashScope, OpenRouter). */
  baseURL?: string;
  /** `chat` (Chat Completions, default; what compatible servers speak) or `responses` (OpenAI's Responses API). */
  api?: 'chat' | 'responses';
  /** Label in events and errors (default `openai`, or `openai-compatible` with a `baseURL`). */
  provider?: string;
  /** Wire differences of a compatible server (defaults: OpenAI's own, or generic ones with a `baseURL`). */
  compat?: OpenAICompat;
  /** Extra HTTP headers on every request (e.g. OpenRouter's `HTTP-Referer`). */
  headers?: Record<string, string>;
  /** Per-HTTP-request timeout the SDK enforces, ms (default its 10 min); `timeout` bounds the whole call. */
  requestTimeout?: number;
  /** A ready client instead of one built from the options above (its retries should be 0). */
  client?: OpenAI;
}

/**
 * A {@link ChatModel} on the official `openai` SDK: Chat Completions (also
 * any OpenAI-compatible server through `baseURL`) or the Responses API.
 * The SDK's retries are off; the shared retry policy runs instead.
 * @example
 * const model = new OpenAIModel({ model: 'gpt-4.1-mini' }); // reads OPENAI_API_KEY
 * const { message } = await model.chat({ messages: [{ role: 'user', content: 'Hi' }] });
 */
export class OpenAIModel implements ChatModel {
  readonly name: string;
  readonly provider: string;
  readonly #engine: ModelEngine;

  /** Throws `MissingApiKeyError` (naming `OPENAI_API_KEY`) when talking to OpenAI itself without a key. */
  constructor(options: OpenAIModelOptions) {
    this.name = options.model;
    this.provider = options.provider ?? (options.baseURL ? 'openai-compatible' : 'openai');
    const apiKey = options.apiKey ?? (options.baseURL ? 'not-needed' : process.env.OPENAI_API_KEY);
    if (!options.client && !apiKey)
      throw new MissingApiKeyError('OPENAI_API_KEY', `OpenAIModel '${options.model}'`);
    registerSecret(apiKey);
    const client =
      options.client ??
      new OpenAI({
        apiKey,
        maxRetries: 0,
        ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
        ...(options.requestTimeout !== undefined ? { timeout: options.requestTimeout } : {}),
        ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
      });
    const compat = { ...(options.baseURL ? GENERIC_COMPAT : OPENAI_COMPAT), ...options.compat };
    const origin = { provider: this.provider, model: options.model };
    const driver =
      options.api === 'responses'
        ? new ResponsesDriver(client, origin)
        : new ChatCompletionsDriver(client, origin, compat);
    this.#engine = new ModelEngine(driver, options);
  }

  get deltas$(): Observable<ModelDeltaEvent> {
    return this.#engine.deltas.asObservable();
  }

  chat<T = unknown>(request: ChatRequest<T>): Promise<ChatResult<T>> {
    return this.#engine.chat(request);
  }

  stream<T = unknown>(request: ChatRequest<T>): AsyncIterable<ChatStreamEvent<T>> {
    return this.#engine.stream(request);
  }
}

interface Origin {
  provider: string;
  model: string;
}

class ChatCompletionsDriver implements ModelDriver {
  readonly provider: string;
  readonly model: string;

  constructor(
    private readonly client: OpenAI,
    origin: Origin,
    private readonly compat: Required<OpenAICompat>,
  ) {
    this.provider = origin.provider;
    this.model = origin.model;
  }

  async send(request: PreparedRequest, signal: AbortSignal): Promise<DriverResult> {
    const body = chatBody(request, this.model, this.compat);
    let response: { data: unknown; request_id?: string | null | undefined };
    try {
      response = await this.client.chat.completions.create(body, { signal }).withResponse();
    } catch (err) {
      throw fromOpenAIError(err, this, 'request');
    }
    return fromChatCompletion(response.data, {
      ...this.#origin(),
      requestId: response.request_id ?? undefined,
    });
  }

  async *open(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<DriverStreamEvent> {
    const body = {
      ...chatBody(request, this.model, this.compat),
      stream: true as const,
      ...(this.compat.streamUsage ? { stream_options: { include_usage: true } } : {}),
    };
    let response: { data: AsyncIterable<unknown>; request_id?: string | null | undefined };
    try {
      response = await this.client.chat.completions.create(body, { signal }).withResponse();
    } catch (err) {
      throw fromOpenAIError(err, this, 'request');
    }
    const acc = new ChatStreamAccumulator({ ...this.#origin(), requestId: response.request_id ?? undefined });
    try {
      for await (const chunk of response.data) yield* acc.add(chunk);
    } catch (err) {
      throw fromOpenAIError(err, this, 'body');
    }
    yield { type: 'done', result: acc.result() };
  }

  #origin(): Origin {
    return { provider: this.provider, model: this.model };
  }
}

class ResponsesDriver implements ModelDriver {
  readonly provider: string;
  readonly model: string;

  constructor(
    private readonly client: OpenAI,
    origin: Origin,
  ) {
    this.provider = origin.provider;
    this.model = origin.model;
  }

  async send(request: PreparedRequest, signal: AbortSignal): Promise<DriverResult> {
    let response: { data: unknown; request_id?: string | null | undefined };
    try {
      response = await this.client.responses
        .create(responsesBody(request, this.model), { signal })
        .withResponse();
    } catch (err) {
      throw fromOpenAIError(err, this, 'request');
    }
    const origin = {
      provider: this.provider,
      model: this.model,
      requestId: response.request_id ?? undefined,
    };
    return fromResponse(response.data, origin);
  }

  async *open(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<DriverStreamEvent> {
    const body = { ...responsesBody(request, this.model), stream: true as const };
    let response: { data: AsyncIterable<unknown>; request_id?: string | null | undefined };
    try {
      response = await this.client.responses.create(body, { signal }).withResponse();
    } catch (err) {
      throw fromOpenAIError(err, this, 'request');
    }
    const origin = {
      provider: this.provider,
      model: this.model,
      requestId: response.request_id ?? undefined,
    };
    const acc = new ResponsesStreamAccumulator(origin);
    try {
      for await (const event of response.data) yield* acc.add(event);
    } catch (err) {
      throw fromOpenAIError(err, this, 'body');
    }
    yield { type: 'done', result: acc.result() };
  }
}
