import type { Observable } from 'rxjs';
import type { DriverResult, DriverStreamEvent, ModelDriver, PreparedRequest } from '../model/driver.js';
import { IncompleteResponseError } from '../model/errors.js';
import { type ModelCommonOptions, ModelEngine } from '../model/ModelEngine.js';
import { sleep } from '../model/retry.js';
import type {
  ChatDelta,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ModelDeltaEvent,
} from '../model/types.js';
import { seededRandom } from './random.js';
import {
  type RecordedRequest,
  type ScriptedReply,
  type ScriptedResponder,
  scriptedResult,
} from './script.js';

/** Options of {@link ScriptedModel}. */
export interface ScriptedModelOptions extends ModelCommonOptions {
  /** Model id in results and events (default `scripted`). */
  name?: string;
  /** Seed of every random choice (default 0): latency jitter, sampled structured answers, backoff jitter. */
  seed?: number;
  /**
   * The replies: one list for every caller, a list per agent name (key `*`
   * for others), or a function of the request. Without a script, or once it
   * runs out, the model answers with a deterministic default: a sample of the
   * requested schema, or a short text naming the last message.
   */
  script?: ScriptedReply[] | Readonly<Record<string, ScriptedReply[]>> | ScriptedResponder;
  /** Delay of every reply, ms, fixed or a seeded uniform `[min, max]` (default 0). */
  latencyMs?: number | readonly [number, number];
  /**
   * Keep a copy of every request in `requests` (default true). Turn it off
   * for long or many runs: the copies grow with each conversation.
   */
  record?: boolean;
}

/**
 * A deterministic {@link ChatModel} for tests, examples and runs without a
 * key: scripted replies, tool calls, structured outputs, usage, latency and
 * failures, per turn or per agent; records every request in `requests`. It
 * runs through the same engine as the real clients (retries, deadlines,
 * progress events, structured-output validation).
 * @example
 * const model = new ScriptedModel({ script: [{ text: 'hello' }] });
 * (await model.chat({ messages: [{ role: 'user', content: 'hi' }] })).message.content; // 'hello'
 */
export class ScriptedModel implements ChatModel {
  readonly name: string;
  readonly provider = 'scripted';
  /** Every request received, in order (copies). */
  readonly requests: RecordedRequest[] = [];
  readonly #engine: ModelEngine;

  constructor(options: ScriptedModelOptions = {}) {
    this.name = options.name ?? 'scripted';
    const random = seededRandom(options.seed ?? 0);
    const driver = new ScriptedDriver(this.name, options, random, this.requests);
    this.#engine = new ModelEngine(driver, { ...options, retry: { random, ...options.retry } });
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

class ScriptedDriver implements ModelDriver {
  readonly provider = 'scripted';
  // Its only listener (the latency sleep) is removed when the sleep ends.
  readonly releasesSignal = true;
  readonly #turns = new Map<string, number>();
  readonly #options: ScriptedModelOptions;
  readonly #random: () => number;
  readonly #requests: RecordedRequest[];

  constructor(
    readonly model: string,
    options: ScriptedModelOptions,
    random: () => number,
    requests: RecordedRequest[],
  ) {
    this.#options = options;
    this.#random = random;
    this.#requests = requests;
  }

  async send(request: PreparedRequest, signal: AbortSignal): Promise<DriverResult> {
    const { reply, turn } = this.#next(request, false);
    await this.#wait(reply, signal);
    if (reply.error) throw reply.error;
    return scriptedResult(reply, request, { model: this.model, turn, random: this.#random });
  }

  async *open(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<DriverStreamEvent> {
    const { reply, turn } = this.#next(request, true);
    await this.#wait(reply, signal);
    if (reply.error) throw reply.error;
    const result = scriptedResult(reply, request, { model: this.model, turn, random: this.#random });
    const deltas = toDeltas(result);
    if (reply.cutStream) {
      yield* deltas.slice(0, Math.ceil(deltas.length / 2));
      throw new IncompleteResponseError(`scripted ${this.model}: the stream was cut (scripted)`, {
        provider: this.provider,
        model: this.model,
      });
    }
    yield* deltas;
    yield { type: 'done', result };
  }

  #next(request: PreparedRequest, streamed: boolean): { reply: ScriptedReply; turn: number } {
    const record = this.#options.record ?? true;
    const recorded: RecordedRequest = {
      // Unrecorded requests are only shown to a script function: a shallow copy will do.
      messages: record ? structuredClone([...request.messages]) : [...request.messages],
      tools: request.tools.map((t) => t.name),
      toolChoice: request.toolChoice,
      output: request.output?.schema,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      agent: request.agent,
      streamed,
    };
    if (record) this.#requests.push(recorded);
    const script = this.#options.script;
    const key =
      script &&
      !Array.isArray(script) &&
      typeof script === 'object' &&
      request.agent !== undefined &&
      request.agent in script
        ? request.agent
        : '*';
    const turn = this.#turns.get(key) ?? 0;
    this.#turns.set(key, turn + 1);
    let reply: ScriptedReply | undefined;
    if (typeof script === 'function') reply = script(recorded, { index: turn, random: this.#random });
    else if (Array.isArray(script)) reply = script[turn];
    else if (script) reply = script[key]?.[turn];
    return { reply: reply ?? {}, turn };
  }

  #wait(reply: ScriptedReply, signal: AbortSignal): Promise<void> {
    const latency = this.#options.latencyMs;
    const ms =
      reply.latencyMs ??
      (Array.isArray(latency)
        ? latency[0] + this.#random() * (latency[1] - latency[0])
        : ((latency as number | undefined) ?? 0));
    if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    return sleep(ms, signal, () => signal.reason);
  }
}

/** The deltas a streamed answer would arrive in: text by words, each tool call's arguments in two pieces. */
function toDeltas(result: DriverResult): ChatDelta[] {
  const out: ChatDelta[] = [];
  for (const t of result.message.thinking ?? []) out.push({ type: 'thinking', text: t.text });
  for (const word of result.message.content.match(/\S+\s*|\s+/g) ?? [])
    out.push({ type: 'text', text: word });
  (result.message.toolCalls ?? []).forEach((c, index) => {
    const half = Math.ceil(c.arguments.length / 2);
    out.push({ type: 'tool_call', index, id: c.id, name: c.name, arguments: c.arguments.slice(0, half) });
    out.push({ type: 'tool_call', index, arguments: c.arguments.slice(half) });
  });
  return out;
}
