import Anthropic from '@anthropic-ai/sdk';
import type { Observable } from 'rxjs';
import type { DriverResult, DriverStreamEvent, ModelDriver, PreparedRequest } from '../model/driver.js';
import { MissingApiKeyError } from '../model/errors.js';
import { type ModelCommonOptions, ModelEngine } from '../model/ModelEngine.js';
import { registerSecret } from '../model/redact.js';
import type { ChatModel, ChatRequest, ChatResult, ChatStreamEvent, ModelDeltaEvent } from '../model/types.js';
import { fromAnthropicError } from './anthropicErrors.js';
import { fromMessage, messagesBody } from './messages.js';
import { MessagesStreamAccumulator } from './messagesStream.js';

/** Options of {@link AnthropicModel}. */
export interface AnthropicModelOptions extends ModelCommonOptions {
  /** Model id, e.g. `claude-sonnet-4-6`. */
  model: string;
  /** API key (default `ANTHROPIC_API_KEY`). */
  apiKey?: string;
  /** API root (default `https://api.anthropic.com`, or `ANTHROPIC_BASE_URL`). */
  baseURL?: string;
  /** `max_tokens` when a request sets none (the Messages API requires one; default 4096). */
  defaultMaxTokens?: number;
  /** Label in events and errors (default `anthropic`). */
  provider?: string;
  /** Extra HTTP headers on every request (e.g. `anthropic-beta`). */
  headers?: Record<string, string>;
  /** Per-HTTP-request timeout the SDK enforces, ms (default its 10 min); `timeout` bounds the whole call. */
  requestTimeout?: number;
  /** A ready client instead of one built from the options above (its retries should be 0). */
  client?: Anthropic;
}

/**
 * A {@link ChatModel} on the official `@anthropic-ai/sdk` Messages API:
 * tools, structured output (`output_config.format`), streaming, usage with
 * prompt-cache reads and writes (`cache: true` marks cache breakpoints).
 * @example
 * const model = new AnthropicModel({ model: 'claude-sonnet-4-6' }); // reads ANTHROPIC_API_KEY
 */
export class AnthropicModel implements ChatModel {
  readonly name: string;
  readonly provider: string;
  readonly #engine: ModelEngine;

  /** Throws `MissingApiKeyError` (naming `ANTHROPIC_API_KEY`) without a key. */
  constructor(options: AnthropicModelOptions) {
    this.name = options.model;
    this.provider = options.provider ?? 'anthropic';
    const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
    if (!options.client && !apiKey)
      throw new MissingApiKeyError('ANTHROPIC_API_KEY', `AnthropicModel '${options.model}'`);
    registerSecret(apiKey);
    const client =
      options.client ??
      new Anthropic({
        apiKey: apiKey ?? null,
        maxRetries: 0,
        ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
        ...(options.requestTimeout !== undefined ? { timeout: options.requestTimeout } : {}),
        ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
      });
    const driver = new MessagesDriver(client, this.provider, options.model, options.defaultMaxTokens ?? 4096);
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

class MessagesDriver implements ModelDriver {
  readonly #client: Anthropic;
  readonly #maxTokens: number;

  constructor(
    client: Anthropic,
    readonly provider: string,
    readonly model: string,
    maxTokens: number,
  ) {
    this.#client = client;
    this.#maxTokens = maxTokens;
  }

  async send(request: PreparedRequest, signal: AbortSignal): Promise<DriverResult> {
    let response: { data: unknown; request_id?: string | null | undefined };
    try {
      const body = messagesBody(request, this.model, this.#maxTokens);
      response = await this.#client.messages.create(body, { signal }).withResponse();
    } catch (err) {
      throw fromAnthropicError(err, this, 'request');
    }
    return fromMessage(response.data, this.#origin(response.request_id));
  }

  async *open(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<DriverStreamEvent> {
    let response: { data: AsyncIterable<unknown>; request_id?: string | null | undefined };
    try {
      const body = { ...messagesBody(request, this.model, this.#maxTokens), stream: true as const };
      response = await this.#client.messages.create(body, { signal }).withResponse();
    } catch (err) {
      throw fromAnthropicError(err, this, 'request');
    }
    const acc = new MessagesStreamAccumulator(this.#origin(response.request_id));
    try {
      for await (const event of response.data) yield* acc.add(event);
    } catch (err) {
      throw fromAnthropicError(err, this, 'body');
    }
    yield { type: 'done', result: acc.result() };
  }

  #origin(requestId: string | null | undefined) {
    return { provider: this.provider, model: this.model, requestId: requestId ?? undefined };
  }
}
