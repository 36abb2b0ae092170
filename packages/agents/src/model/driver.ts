import type {
  AssistantMessage,
  ChatDelta,
  ChatMessage,
  JsonSchema,
  StopReason,
  ToolChoice,
  ToolSpec,
  Usage,
} from './types.js';

/** A request as a provider driver gets it: provider-neutral, output schema already in JSON Schema. */
export interface PreparedRequest {
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  toolChoice: ToolChoice | undefined;
  /** The structured-output schema; `strict` is set when OpenAI's strict mode can take it. */
  output: { name: string; schema: JsonSchema; strict: JsonSchema | undefined } | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  cache: boolean;
  agent: string | undefined;
}

/** What one attempt returned, before the engine adds parsing, timing and cost. */
export interface DriverResult {
  message: AssistantMessage;
  usage: Usage;
  stopReason: StopReason;
  model: string;
  requestId: string | undefined;
  raw: unknown;
}

/** One attempt's stream: deltas, then one `done`. */
export type DriverStreamEvent = ChatDelta | { type: 'done'; result: DriverResult };

/**
 * A provider behind the shared engine: one attempt per call, no retries, every
 * failure already a `ModelError` (or the abort of `signal`).
 */
export interface ModelDriver {
  readonly provider: string;
  readonly model: string;
  /**
   * True when the driver removes every listener it adds to the signal it is
   * given, so a call may run on the caller's own signal. HTTP SDKs leave a
   * listener per request behind, so by default each call gets a signal of its own.
   */
  readonly releasesSignal?: boolean;
  send(request: PreparedRequest, signal: AbortSignal): Promise<DriverResult>;
  open(request: PreparedRequest, signal: AbortSignal): AsyncIterable<DriverStreamEvent>;
}
