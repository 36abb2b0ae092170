import type { z } from 'zod';
import type { ConversationMemory } from '../memory/ConversationMemory.js';
import { CallScope } from '../model/CallScope.js';
import { InvalidResponseError } from '../model/errors.js';
import type {
  ChatMessage,
  ChatModel,
  ChatResult,
  ProgressSink,
  ToolCall,
  ToolMessage,
} from '../model/types.js';
import type { Approver } from '../tools/approval.js';
import type { PreviewOptions } from '../tools/preview.js';
import { runToolCalls } from '../tools/runToolCalls.js';
import type { Tool } from '../tools/tool.js';
import type { ReActIncomplete, ReActOutcome, ReActRunInput } from './outcome.js';
import { RepeatGuard } from './repeatGuard.js';

/** How a ReAct loop works: its model, tools, budget and final-answer schema. */
export interface ReActOptions<T = unknown> {
  model: ChatModel;
  tools?: readonly Tool[];
  /** The system prompt. */
  instructions?: string;
  /** Model calls allowed per run (default 10); past it the run is `incomplete`. */
  maxIterations?: number;
  /** The number of identical tool calls (same tool and arguments) that stops the run (default 3). */
  maxIdenticalCalls?: number;
  /** A zod schema of the final answer (structured output), parsed into `output`. */
  output?: z.ZodType<T>;
  temperature?: number;
  /** Upper bound of output tokens per model call. */
  maxTokens?: number;
  /** Milliseconds for one turn's tool calls (they run in parallel). */
  toolTimeout?: number;
  /** Size bound and redaction of tool arguments and results in `task.tool_call` events. */
  preview?: PreviewOptions;
  /** Decides on calls of tools flagged `needsApproval` (see `approveWith` for a `UserAgent`). */
  approve?: Approver;
}

/** Per-run options of {@link runReAct}. */
export interface ReActRunOptions {
  /** Aborts the model request and the running tools; the run rejects with the reason. */
  signal?: AbortSignal;
  /** Milliseconds for the whole run; past it the run rejects with `TimeoutError`. */
  timeout?: number;
  /** Receives `task.progress` per step, `task.model_call`, `task.tokens`, `task.tool_call` and `task.log`. */
  progress?: ProgressSink;
  /** Labels events and picks a per-agent script of a `ScriptedModel`. */
  agent?: string;
  /** The conversation to continue and extend (without it each run starts afresh). */
  memory?: ConversationMemory;
}

/**
 * One ReAct run: the model reasons and asks for tools, the tools run (in
 * parallel when it asks for several) and their results, or the problem with
 * the arguments, go back as observations, until the model gives a final
 * answer. Stops with an explicit `incomplete` outcome when `maxIterations`
 * model calls gave no answer or the model asked for the same call
 * `maxIdenticalCalls` times. A final answer failing `output` goes back to the
 * model as an observation; one cut at the token limit is continued. Rejects only with the model's error, the abort
 * reason of `signal`, or `TimeoutError`.
 * @example
 * const outcome = await runReAct({ task: 'Which is warmer, Oslo or Rome?' }, { model, tools: [weather] });
 */
export async function runReAct<T = unknown>(
  input: ReActRunInput,
  options: ReActOptions<T> & ReActRunOptions,
): Promise<ReActOutcome<T>> {
  // Without a timeout the caller's signal is all there is (a scope per run showed in profiles).
  if (options.timeout === undefined) return new ReActLoop(input, options, options.signal).run();
  const scope = new CallScope(options.signal, options.timeout, 'ReAct run');
  try {
    return await new ReActLoop(input, options, scope.signal).run();
  } catch (err) {
    throw scope.cancelled ? scope.reason() : err;
  } finally {
    scope.dispose();
  }
}

class ReActLoop<T> {
  readonly #input: ReActRunInput;
  readonly #options: ReActOptions<T> & ReActRunOptions;
  readonly #signal: AbortSignal | undefined;
  readonly #max: number;
  readonly #head: ChatMessage[];
  readonly #transcript: { readonly messages: readonly ChatMessage[]; append(m: ChatMessage[]): unknown };
  readonly #guard: RepeatGuard;
  readonly #done: string[] = [];
  #iterations = 0;
  #toolCalls = 0;
  #inputTokens = 0;
  #outputTokens = 0;
  #lastMessage: string | undefined;
  /** The pieces of an answer cut at the token limit, so far. */
  #partial = '';

  constructor(
    input: ReActRunInput,
    options: ReActOptions<T> & ReActRunOptions,
    signal: AbortSignal | undefined,
  ) {
    this.#input = input;
    this.#options = options;
    this.#signal = signal;
    this.#max = input.maxIterations ?? options.maxIterations ?? 10;
    this.#head = options.instructions ? [{ role: 'system', content: options.instructions }] : [];
    this.#guard = new RepeatGuard(options.maxIdenticalCalls ?? 3);
    const memory = options.memory;
    if (memory) {
      this.#transcript = {
        get messages() {
          return memory.messages; // a new array after each compaction
        },
        append: (m) => memory.append(m, signal ? { signal } : {}),
      };
    } else {
      const messages: ChatMessage[] = [];
      this.#transcript = { messages, append: (m) => messages.push(...m) };
    }
  }

  async run(): Promise<ReActOutcome<T>> {
    await this.#append({ role: 'user', content: taskText(this.#input) });
    while (this.#iterations < this.#max) {
      this.#iterations++;
      this.#step('thinking');
      const result = await this.#think();
      if (result === undefined) continue;
      if (result.toolCalls.length === 0) {
        await this.#append(result.message);
        // An answer cut at the token limit is not final: the model continues it on the next call.
        if (result.stopReason === 'max_tokens' && !this.#options.output) {
          this.#partial += result.message.content;
          this.#lastMessage = this.#partial;
          this.#log('warn', 'the answer was cut at the token limit; asking the model to continue');
          await this.#append({
            role: 'user',
            content: 'Your answer was cut off. Continue exactly where it stopped.',
          });
          continue;
        }
        return this.#completed(result);
      }
      if (result.message.content) this.#lastMessage = result.message.content;
      const repeated = this.#guard.check(result.toolCalls);
      if (repeated) return this.#repeated(repeated.call, repeated.times);
      await this.#append(result.message);
      this.#step(`calling ${result.toolCalls.map((c) => c.name).join(', ')}`);
      const observations = await this.#act(result.toolCalls);
      await this.#append(...observations);
    }
    this.#log('warn', `no final answer after ${this.#max} model calls; the run is incomplete`);
    return this.#incomplete('max_iterations');
  }

  /** One model call; undefined when its final answer failed the output schema (the model is told why). */
  async #think(): Promise<ChatResult<T> | undefined> {
    const o = this.#options;
    try {
      const result = await o.model.chat<T>({
        messages: [...this.#head, ...this.#transcript.messages],
        ...(o.tools?.length ? { tools: o.tools } : {}),
        ...(o.output ? { output: o.output } : {}),
        ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
        ...(o.maxTokens === undefined ? {} : { maxTokens: o.maxTokens }),
        ...(o.progress ? { progress: o.progress } : {}),
        ...(o.agent === undefined ? {} : { agent: o.agent }),
        ...(this.#signal ? { signal: this.#signal } : {}),
      });
      this.#inputTokens += result.usage.inputTokens;
      this.#outputTokens += result.usage.outputTokens;
      return result;
    } catch (err) {
      if (!(err instanceof InvalidResponseError) || !o.output || this.#signal?.aborted) throw err;
      this.#log('warn', `final answer rejected: ${err.message}`);
      await this.#append({
        role: 'user',
        content: `Your final answer was rejected: ${err.message}. Answer again with JSON that matches the schema.`,
      });
      return undefined;
    }
  }

  async #act(calls: ToolCall[]): Promise<ToolMessage[]> {
    const o = this.#options;
    const observations = await runToolCalls(calls, o.tools ?? [], {
      ...(this.#signal ? { signal: this.#signal } : {}),
      ...(o.toolTimeout === undefined ? {} : { timeout: o.toolTimeout }),
      ...(o.progress ? { progress: o.progress } : {}),
      ...(o.agent === undefined ? {} : { agent: o.agent }),
      ...(o.preview ? { preview: o.preview } : {}),
      ...(o.approve ? { approve: o.approve } : {}),
    });
    this.#toolCalls += calls.length;
    calls.forEach((call, i) => {
      const seen = observations[i];
      const how = seen?.isError ? `error: ${clip(seen.content.replace(/^Error: /, ''), 120)}` : 'ok';
      this.#done.push(`${call.name}(${clip(call.arguments, 120)}) → ${how}`);
    });
    return observations;
  }

  #completed(result: ChatResult<T>): ReActOutcome<T> {
    const outcome: ReActOutcome<T> = {
      status: 'completed',
      answer: this.#partial + result.message.content,
      ...this.#counts(),
    };
    if (result.output !== undefined) outcome.output = result.output;
    return outcome;
  }

  #repeated(call: ToolCall, times: number): ReActIncomplete {
    this.#log(
      'warn',
      `stopped: the model asked for ${call.name}(${clip(call.arguments, 200)}) ${times} times; the run is incomplete`,
    );
    const outcome = this.#incomplete('repeated_tool_call');
    outcome.repeated = { tool: call.name, arguments: call.arguments, times };
    return outcome;
  }

  #incomplete(reason: ReActIncomplete['reason']): ReActIncomplete {
    const outcome: ReActIncomplete = {
      status: 'incomplete',
      reason,
      done: [...this.#done],
      remaining: `no final answer yet to the task: ${this.#input.task}`,
      ...this.#counts(),
    };
    if (this.#lastMessage !== undefined) outcome.lastMessage = this.#lastMessage;
    return outcome;
  }

  #counts() {
    return {
      iterations: this.#iterations,
      toolCalls: this.#toolCalls,
      usage: { inputTokens: this.#inputTokens, outputTokens: this.#outputTokens },
    };
  }

  #append(...messages: ChatMessage[]): Promise<unknown> | unknown {
    return this.#transcript.append(messages);
  }

  #step(what: string): void {
    const percent = Math.round((100 * (this.#iterations - 1)) / this.#max);
    this.#options.progress?.emit({
      kind: 'task.progress',
      percent,
      step: `step ${this.#iterations}/${this.#max}: ${what}`,
      ...(this.#options.agent === undefined ? {} : { agent: this.#options.agent }),
    });
  }

  #log(level: 'info' | 'warn', message: string): void {
    this.#options.progress?.emit({
      kind: 'task.log',
      level,
      message,
      ...(this.#options.agent === undefined ? {} : { agent: this.#options.agent }),
    });
  }
}

function taskText(input: ReActRunInput): string {
  return input.context ? `${input.task}\n\nContext:\n${input.context}` : input.task;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
