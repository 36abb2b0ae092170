import type { DriverResult } from '../model/driver.js';
import { ContentFilterError, IncompleteResponseError } from '../model/errors.js';
import { isRecord, str } from '../model/json.js';
import type { ChatDelta, ToolCall, Usage } from '../model/types.js';
import { chatStopReason, chatUsage, errorOptions, type ResponseOrigin } from './chatCompletions.js';

/**
 * Assembles a streamed Chat Completions answer from its chunks
 * (`choices[0].delta` with `content` and indexed `tool_calls` pieces, a
 * `finish_reason`, then a usage-only chunk). The answer is complete only once
 * a finish reason arrived: a stream that ends before is cut short.
 */
export class ChatStreamAccumulator {
  #text = '';
  #thinking = '';
  #refusal = '';
  readonly #calls = new Map<number, ToolCall>();
  #finish: unknown;
  #usage: Usage | undefined;
  #model: string | undefined;
  #last: unknown;
  readonly #origin: ResponseOrigin;

  constructor(origin: ResponseOrigin) {
    this.#origin = origin;
  }

  /** Takes one chunk; returns the deltas it carries. */
  add(chunk: unknown): ChatDelta[] {
    this.#last = chunk;
    if (!isRecord(chunk)) return [];
    this.#model ??= str(chunk.model);
    if (isRecord(chunk.usage)) this.#usage = chatUsage(chunk.usage);
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isRecord(choice)) return [];
    if (choice.finish_reason !== null && choice.finish_reason !== undefined)
      this.#finish = choice.finish_reason;
    const delta = choice.delta;
    if (!isRecord(delta)) return [];
    const out: ChatDelta[] = [];
    const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
    if (reasoning) {
      this.#thinking += reasoning;
      out.push({ type: 'thinking', text: reasoning });
    }
    const content = str(delta.content);
    if (content) {
      this.#text += content;
      out.push({ type: 'text', text: content });
    }
    if (typeof delta.refusal === 'string') this.#refusal += delta.refusal;
    if (Array.isArray(delta.tool_calls)) {
      for (const piece of delta.tool_calls) if (isRecord(piece)) out.push(this.#toolPiece(piece));
    }
    return out;
  }

  #toolPiece(piece: Record<string, unknown>): ChatDelta {
    const index = typeof piece.index === 'number' ? piece.index : this.#calls.size;
    const fn = isRecord(piece.function) ? piece.function : {};
    let call = this.#calls.get(index);
    if (!call) {
      call = { id: str(piece.id) ?? `call_${index}`, name: '', arguments: '' };
      this.#calls.set(index, call);
    }
    const id = str(piece.id);
    const name = str(fn.name);
    const args = str(fn.arguments) ?? '';
    if (id) call.id = id;
    if (name) call.name += name;
    call.arguments += args;
    const delta: ChatDelta = { type: 'tool_call', index, arguments: args };
    if (id) delta.id = id;
    if (name) delta.name = name;
    return delta;
  }

  /** The assembled answer; throws `IncompleteResponseError` when no finish reason arrived. */
  result(): DriverResult {
    const origin = this.#origin;
    if (this.#finish === undefined) {
      const partial = [...this.#calls.values()].map((c) => c.name).filter(Boolean);
      throw new IncompleteResponseError(
        `${origin.provider} ${origin.model}: the stream ended before the answer was finished` +
          (partial.length > 0 ? ` (cut during tool call ${partial.join(', ')})` : ''),
        { ...errorOptions(origin), data: { receivedChars: this.#text.length } },
      );
    }
    if (this.#refusal !== '') {
      throw new ContentFilterError(
        `${origin.provider} ${origin.model}: the model refused: ${this.#refusal}`,
        {
          ...errorOptions(origin),
          data: { refusal: this.#refusal },
        },
      );
    }
    const toolCalls = [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
    const result: DriverResult = {
      message: { role: 'assistant', content: this.#text },
      usage: this.#usage ?? { inputTokens: 0, outputTokens: 0 },
      stopReason: chatStopReason(this.#finish, toolCalls.length > 0, origin),
      model: this.#model ?? origin.model,
      requestId: origin.requestId,
      raw: this.#last,
    };
    if (toolCalls.length > 0) result.message.toolCalls = toolCalls;
    if (this.#thinking) result.message.thinking = [{ text: this.#thinking }];
    return result;
  }
}
