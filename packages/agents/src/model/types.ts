import type { ProgressInput } from '@troupe/core';
import type { Observable } from 'rxjs';
import type { z } from 'zod';

/** A JSON Schema object (draft 2020-12, as zod 4's `z.toJSONSchema` writes it). */
export type JsonSchema = Record<string, unknown>;

/** One tool call the model asked for; `arguments` is the raw JSON text the model wrote (maybe invalid). */
export interface ToolCall {
  /** The provider's call id; a tool result answers it. */
  id: string;
  /** The tool's name. */
  name: string;
  /** Arguments as JSON text, exactly as the model produced them. */
  arguments: string;
}

/** One block of model reasoning; `signature` is Anthropic's, needed to send thinking back. */
export interface ThinkingBlock {
  text: string;
  signature?: string;
}

/** A system prompt. */
export interface SystemMessage {
  role: 'system';
  content: string;
}

/** What the user (or the calling agent) says. */
export interface UserMessage {
  role: 'user';
  content: string;
}

/** What the model said: text, tool calls, and reasoning when the provider returns it. */
export interface AssistantMessage {
  role: 'assistant';
  content: string;
  toolCalls?: ToolCall[];
  thinking?: ThinkingBlock[];
}

/** The result of one tool call, answering the call with id `toolCallId`. */
export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  /** The tool's name (Chat Completions does not need it; Anthropic and logs do). */
  name: string;
  content: string;
  /** True when `content` describes a failure (bad arguments, tool error). */
  isError?: boolean;
}

/** One message of a conversation, provider-neutral. */
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A tool as the model sees it: name, description and a JSON Schema of its arguments. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchema;
  /** Ask the provider to enforce the schema exactly (OpenAI `strict`); set only for schemas that allow it. */
  readonly strict?: boolean;
}

/** Token counts of one call. `inputTokens` includes cache reads and writes. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's prompt cache. */
  cacheReadTokens?: number;
  /** Prompt tokens written to the provider's prompt cache (Anthropic). */
  cacheWriteTokens?: number;
}

/** Why the model stopped: a finished answer, tool calls to run, the token limit, a stop sequence, or anything else. */
export type StopReason = 'end' | 'tool_calls' | 'max_tokens' | 'stop_sequence' | 'other';

/** Where progress goes: a handler's `ctx` fits, or any `{ emit }`. */
export interface ProgressSink {
  emit(event: ProgressInput): void;
}

/** How the model may use the tools: freely, at least one, none, or exactly the named one. */
export type ToolChoice = 'auto' | 'required' | 'none' | { name: string };

/** One model call. `timeout` (ms) bounds the whole call, retries included; `signal` aborts the HTTP request. */
export interface ChatRequest<T = unknown> {
  messages: readonly ChatMessage[];
  tools?: readonly ToolSpec[];
  toolChoice?: ToolChoice;
  /** A zod schema the final answer must satisfy (structured output); parsed into `result.output`. */
  output?: z.ZodType<T>;
  /** Name of the output schema sent to the provider (default `output`). */
  outputName?: string;
  temperature?: number;
  /** Upper bound of output tokens. */
  maxTokens?: number;
  /** Mark the prompt prefix cacheable (Anthropic `cache_control`; OpenAI caches on its own). */
  cache?: boolean;
  signal?: AbortSignal;
  /** Milliseconds for the whole call, retries included. */
  timeout?: number;
  /** Receives `task.model_call` and `task.tokens` (pass the handler's `ctx`). */
  progress?: ProgressSink;
  /** The calling agent's name: labels events and selects a per-agent script in `ScriptedModel`. */
  agent?: string;
}

/** What one call returned. `output` is set when the request had an `output` schema. */
export interface ChatResult<T = unknown> {
  message: AssistantMessage;
  toolCalls: ToolCall[];
  output?: T;
  usage: Usage;
  stopReason: StopReason;
  /** The model that answered, as the provider names it. */
  model: string;
  requestId?: string;
  /** Wall time, retries included, ms. */
  latencyMs: number;
  /** Attempts made (1 when no retry was needed). */
  attempts: number;
  /** USD, when the model's price table covers it. */
  costUsd?: number;
  /** The provider's response, unmodified (for streams: the last event or assembled message). */
  raw: unknown;
}

/** A piece of a streamed answer: text, reasoning, or a chunk of one tool call's JSON arguments. */
export type ChatDelta =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments: string };

/** What `stream()` yields: deltas, then exactly one `done` with the same result `chat()` gives. */
export type ChatStreamEvent<T = unknown> = ChatDelta | { type: 'done'; result: ChatResult<T> };

/** A streamed delta as seen by `deltas$` subscribers, labelled with where it came from. */
export interface ModelDeltaEvent {
  model: string;
  provider: string;
  agent?: string;
  delta: ChatDelta;
}

/** A chat model: one `chat` and one `stream` over any provider. */
export interface ChatModel {
  /** The model id, e.g. `gpt-4.1-mini`. */
  readonly name: string;
  /** `openai`, `anthropic`, `openai-compatible`, `scripted`, … */
  readonly provider: string;
  /** Every streamed delta of this model, for subscribers that want them; nothing is built when nobody listens. */
  readonly deltas$: Observable<ModelDeltaEvent>;
  /** One call; resolves with the full answer or rejects with a `ModelError`, `TimeoutError` or `CancelledError`. */
  chat<T = unknown>(request: ChatRequest<T>): Promise<ChatResult<T>>;
  /** One streamed call: deltas, then `{ type: 'done', result }`; a stream cut short throws `IncompleteResponseError`. */
  stream<T = unknown>(request: ChatRequest<T>): AsyncIterable<ChatStreamEvent<T>>;
}
