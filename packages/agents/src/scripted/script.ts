import { messageTokens } from '../memory/tokens.js';
import type { DriverResult, PreparedRequest } from '../model/driver.js';
import type { ChatMessage, JsonSchema, StopReason, ToolCall, ToolChoice, Usage } from '../model/types.js';
import { sampleSchema } from './sampleSchema.js';

/** A tool call in a script; `arguments` may be a value (serialized to JSON) or raw text (to script bad JSON). */
export interface ScriptedToolCall {
  name: string;
  arguments?: unknown;
  id?: string;
}

/** One scripted turn: what the model answers, or the error it fails with. */
export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** A structured answer (serialized to JSON as the text; the request's schema validates it). */
  output?: unknown;
  thinking?: string;
  /** Token counts (default: estimated from the characters of prompt and answer). */
  usage?: Partial<Usage>;
  /** Delay before answering, ms (default: the model's `latencyMs`). */
  latencyMs?: number;
  stopReason?: StopReason;
  /** Thrown instead of answering, e.g. `new RateLimitError('slow down', { retryAfter: 1000 })`. */
  error?: Error;
  /** Streams part of the answer, then fails as a connection cut would (`IncompleteResponseError`). */
  cutStream?: boolean;
}

/** A copy of one request a `ScriptedModel` received (without signal and progress sink). */
export interface RecordedRequest {
  messages: ChatMessage[];
  tools: string[];
  toolChoice: ToolChoice | undefined;
  output: JsonSchema | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  agent: string | undefined;
  streamed: boolean;
}

/** Picks the reply to a request: `turn` counts this agent's requests from 0; `random` is the model's seeded generator. */
export type ScriptedResponder = (
  request: RecordedRequest,
  turn: { index: number; random: () => number },
) => ScriptedReply;

/** Builds the driver result of a scripted reply. */
export function scriptedResult(
  reply: ScriptedReply,
  request: PreparedRequest,
  ctx: { model: string; turn: number; random: () => number },
): DriverResult {
  let text = reply.text ?? '';
  if (reply.output !== undefined) text = JSON.stringify(reply.output);
  else if (reply.text === undefined && !reply.toolCalls && request.output) {
    text = JSON.stringify(sampleSchema(request.output.schema, ctx.random));
  } else if (reply.text === undefined && !reply.toolCalls) text = defaultText(request, ctx.turn);
  const toolCalls: ToolCall[] = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${ctx.turn}_${i}`,
    name: c.name,
    arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}),
  }));
  const result: DriverResult = {
    message: { role: 'assistant', content: text },
    usage: {
      inputTokens: request.messages.reduce((n, m) => n + messageTokens(m), 0),
      outputTokens: 0,
      ...reply.usage,
    },
    stopReason: reply.stopReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'end'),
    model: ctx.model,
    requestId: `scripted-${ctx.turn}`,
    raw: reply,
  };
  if (toolCalls.length > 0) result.message.toolCalls = toolCalls;
  if (reply.thinking !== undefined) result.message.thinking = [{ text: reply.thinking }];
  if (reply.usage?.outputTokens === undefined) result.usage.outputTokens = messageTokens(result.message) - 4;
  return result;
}

function defaultText(request: PreparedRequest, turn: number): string {
  const last = [...request.messages].reverse().find((m) => m.role === 'user' || m.role === 'tool');
  const about = last ? last.content.replace(/\s+/g, ' ').slice(0, 60) : 'nothing';
  return `Scripted reply ${turn + 1} to: ${about}`;
}
