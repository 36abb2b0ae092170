import { context } from '@opentelemetry/api';
import { Subject } from 'rxjs';
import { endModelSpan, startModelSpan } from '../tracing.js';
import { CallScope } from './CallScope.js';
import { type CallLabel, emitFailure, emitRetry, emitSuccess } from './callEvents.js';
import type { DriverResult, ModelDriver, PreparedRequest } from './driver.js';
import { IncompleteResponseError, InvalidResponseError } from './errors.js';
import { costOf, type PriceTable, priceOf } from './pricing.js';
import { type RetryPolicy, retryDelay, sleep } from './retry.js';
import { jsonSchemaOf, parseOutput, strictSchemaOf } from './structured.js';
import type { ChatDelta, ChatRequest, ChatResult, ChatStreamEvent, ModelDeltaEvent } from './types.js';

/** Options every model client shares. */
export interface ModelCommonOptions {
  /** The one retry policy (default: 3 retries, backoff from 500 ms with full jitter, `retryAfter` honoured). */
  retry?: RetryPolicy;
  /** Default per-call timeout, ms, retries included (a request's own `timeout` wins). */
  timeout?: number;
  /** USD per million tokens, by model id; fills `costUsd`. */
  prices?: PriceTable;
}

/**
 * What every model client runs its provider through: the call's scope
 * (signal + deadline), the retry policy, structured-output parsing, cost, and
 * progress events. A stream is retried only before its first delta.
 */
export class ModelEngine {
  readonly deltas = new Subject<ModelDeltaEvent>();
  readonly #driver: ModelDriver;
  readonly #options: ModelCommonOptions;

  constructor(driver: ModelDriver, options: ModelCommonOptions) {
    this.#driver = driver;
    this.#options = options;
  }

  async chat<T>(request: ChatRequest<T>): Promise<ChatResult<T>> {
    const prepared = prepare(request);
    const label = this.#label(request);
    const scope = this.#scope(request);
    const started = performance.now();
    const span = startModelSpan(label, request);
    let attempts = 0;
    try {
      for (;;) {
        attempts++;
        try {
          const sending = span
            ? context.with(span.context, () => this.#driver.send(prepared, scope.signal))
            : this.#driver.send(prepared, scope.signal);
          const result = await sending;
          const final = this.#finish(result, request, started, attempts);
          endModelSpan(span, { result: final });
          emitSuccess(request.progress, label, final);
          return final;
        } catch (err) {
          await this.#beforeRetry(err, { scope, attempts, label, request, streamed: false });
        }
      }
    } catch (err) {
      endModelSpan(span, { error: err });
      emitFailure(request.progress, label, { error: err, latencyMs: since(started), attempts });
      throw err;
    } finally {
      scope.dispose();
    }
  }

  async *stream<T>(request: ChatRequest<T>): AsyncGenerator<ChatStreamEvent<T>> {
    const prepared = prepare(request);
    const label = this.#label(request);
    // Its own controller: a consumer that stops iterating early must close the HTTP request.
    const scope = this.#scope(request, true);
    const started = performance.now();
    let span = startModelSpan(label, request);
    let attempts = 0;
    let streamed = false;
    try {
      for (;;) {
        attempts++;
        let result: DriverResult | undefined;
        try {
          for await (const event of this.#driver.open(prepared, scope.signal)) {
            if (event.type === 'done') {
              result = event.result;
              break;
            }
            streamed = true;
            this.#publish(event, label);
            yield event;
          }
          if (!result)
            throw new IncompleteResponseError(`${label.provider} ${label.model}: the stream ended early`);
          const final = this.#finish(result, request, started, attempts);
          endModelSpan(span, { result: final });
          span = undefined;
          emitSuccess(request.progress, label, final);
          yield { type: 'done', result: final };
          return;
        } catch (err) {
          await this.#beforeRetry(err, { scope, attempts, label, request, streamed });
        }
      }
    } catch (err) {
      endModelSpan(span, { error: err });
      span = undefined;
      emitFailure(request.progress, label, { error: err, latencyMs: since(started), attempts });
      throw err;
    } finally {
      // A consumer that stopped early ends the span here, without an answer.
      span?.span.end();
      // Also reached when the consumer stops iterating early: aborting the scope closes the HTTP request.
      scope.dispose();
    }
  }

  /** Rethrows unless `err` may be retried: then waits the policy's delay (cancellable) and returns. */
  async #beforeRetry(
    err: unknown,
    at: {
      scope: CallScope;
      attempts: number;
      label: CallLabel;
      request: ChatRequest<unknown>;
      streamed: boolean;
    },
  ): Promise<void> {
    if (at.scope.cancelled) throw at.scope.reason();
    // Deltas already handed out cannot be taken back, so a stream that started is not retried.
    const delay = at.streamed
      ? undefined
      : retryDelay(err, at.attempts, this.#options.retry, at.scope.remaining());
    if (delay === undefined) throw err;
    emitRetry(at.request.progress, at.label, { error: err, attempt: at.attempts, delayMs: delay });
    await sleep(delay, at.scope.signal, () => at.scope.reason());
  }

  #finish<T>(
    result: DriverResult,
    request: ChatRequest<T>,
    started: number,
    attempts: number,
  ): ChatResult<T> {
    const final: ChatResult<T> = {
      message: result.message,
      toolCalls: result.message.toolCalls ?? [],
      usage: result.usage,
      stopReason: result.stopReason,
      model: result.model,
      latencyMs: since(started),
      attempts,
      raw: result.raw,
    };
    if (result.requestId !== undefined) final.requestId = result.requestId;
    const price =
      priceOf(this.#options.prices, this.#driver.model) ?? priceOf(this.#options.prices, result.model);
    if (price) final.costUsd = costOf(result.usage, price);
    if (request.output && final.toolCalls.length === 0) final.output = this.#parse(result, request);
    return final;
  }

  #parse<T>(result: DriverResult, request: ChatRequest<T>): T {
    const parsed = parseOutput(result.message.content, request.output!);
    if (parsed.ok) return parsed.value;
    const options = {
      retryable: false,
      provider: this.#driver.provider,
      model: this.#driver.model,
      requestId: result.requestId,
      data: { issues: parsed.issues?.map((i) => ({ path: i.path.join('.'), message: i.message })) ?? [] },
    };
    const what = `${this.#driver.provider} ${this.#driver.model}: structured output`;
    if (result.stopReason === 'max_tokens') {
      throw new IncompleteResponseError(`${what} cut at the token limit: ${parsed.problem}`, options);
    }
    throw new InvalidResponseError(`${what} does not match its schema: ${parsed.problem}`, options);
  }

  #publish(delta: ChatDelta, label: CallLabel): void {
    if (!this.deltas.observed) return;
    const event: ModelDeltaEvent = { model: label.model, provider: label.provider, delta };
    if (label.agent !== undefined) event.agent = label.agent;
    this.deltas.next(event);
  }

  #label(request: ChatRequest<unknown>): CallLabel {
    return { model: this.#driver.model, provider: this.#driver.provider, agent: request.agent };
  }

  #scope(request: ChatRequest<unknown>, own = this.#driver.releasesSignal !== true): CallScope {
    const timeout = request.timeout ?? this.#options.timeout;
    return new CallScope(request.signal, timeout, `${this.#driver.provider} ${this.#driver.model} call`, own);
  }
}

function prepare(request: ChatRequest<unknown>): PreparedRequest {
  let output: PreparedRequest['output'];
  if (request.output) {
    const schema = jsonSchemaOf(request.output);
    output = { name: request.outputName ?? 'output', schema, strict: strictSchemaOf(schema) };
  }
  return {
    messages: request.messages,
    tools: request.tools ?? [],
    toolChoice: request.toolChoice,
    output,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    cache: request.cache ?? false,
    agent: request.agent,
  };
}

function since(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
