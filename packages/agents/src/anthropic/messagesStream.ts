import type { DriverResult } from '../model/driver.js';
import { IncompleteResponseError } from '../model/errors.js';
import { isRecord, num, str } from '../model/json.js';
import type { ChatDelta, ThinkingBlock, ToolCall, Usage } from '../model/types.js';
import { type AnthropicOrigin, anthropicStopReason, anthropicUsage, errorOptions } from './messages.js';

type Block =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; call: ToolCall; ordinal: number }
  | { kind: 'thinking'; block: ThinkingBlock }
  | { kind: 'other' };

/**
 * Assembles a streamed Messages answer: `message_start`, then per content
 * block `content_block_start` / `_delta` / `_stop`, then `message_delta`
 * (stop reason, output tokens) and `message_stop`. Without `message_stop`
 * the answer was cut short.
 */
export class MessagesStreamAccumulator {
  readonly #origin: AnthropicOrigin;
  readonly #blocks = new Map<number, Block>();
  #tools = 0;
  #usage: Usage = { inputTokens: 0, outputTokens: 0 };
  #model: string | undefined;
  #stopReason: unknown;
  #stopped = false;
  #last: unknown;

  constructor(origin: AnthropicOrigin) {
    this.#origin = origin;
  }

  /** Takes one event; returns its deltas. */
  add(event: unknown): ChatDelta[] {
    this.#last = event;
    if (!isRecord(event)) return [];
    const index = num(event.index) ?? -1;
    switch (event.type) {
      case 'message_start': {
        const message = isRecord(event.message) ? event.message : {};
        this.#model = str(message.model);
        this.#usage = anthropicUsage(message.usage);
        return [];
      }
      case 'content_block_start':
        return this.#start(index, isRecord(event.content_block) ? event.content_block : {});
      case 'content_block_delta':
        return this.#delta(index, isRecord(event.delta) ? event.delta : {});
      case 'message_delta': {
        if (isRecord(event.delta) && event.delta.stop_reason != null)
          this.#stopReason = event.delta.stop_reason;
        // `usage.output_tokens` here is the running total, not an increment.
        const out = isRecord(event.usage) ? num(event.usage.output_tokens) : undefined;
        if (out !== undefined) this.#usage.outputTokens = out;
        return [];
      }
      case 'message_stop':
        this.#stopped = true;
        return [];
      default:
        return [];
    }
  }

  #start(index: number, block: Record<string, unknown>): ChatDelta[] {
    if (block.type === 'text') {
      const text = str(block.text) ?? '';
      this.#blocks.set(index, { kind: 'text', text });
      return text ? [{ type: 'text', text }] : [];
    }
    if (block.type === 'tool_use') {
      const call: ToolCall = { id: str(block.id) ?? '', name: str(block.name) ?? '', arguments: '' };
      const ordinal = this.#tools++;
      this.#blocks.set(index, { kind: 'tool', call, ordinal });
      return [{ type: 'tool_call', index: ordinal, id: call.id, name: call.name, arguments: '' }];
    }
    if (block.type === 'thinking') {
      this.#blocks.set(index, { kind: 'thinking', block: { text: str(block.thinking) ?? '' } });
      return [];
    }
    this.#blocks.set(index, { kind: 'other' });
    return [];
  }

  #delta(index: number, delta: Record<string, unknown>): ChatDelta[] {
    const block = this.#blocks.get(index);
    if (!block) return [];
    if (delta.type === 'text_delta' && block.kind === 'text') {
      const text = str(delta.text) ?? '';
      block.text += text;
      return [{ type: 'text', text }];
    }
    if (delta.type === 'input_json_delta' && block.kind === 'tool') {
      const part = str(delta.partial_json) ?? '';
      block.call.arguments += part;
      return [{ type: 'tool_call', index: block.ordinal, arguments: part }];
    }
    if (delta.type === 'thinking_delta' && block.kind === 'thinking') {
      const text = str(delta.thinking) ?? '';
      block.block.text += text;
      return [{ type: 'thinking', text }];
    }
    if (delta.type === 'signature_delta' && block.kind === 'thinking') {
      block.block.signature = (block.block.signature ?? '') + (str(delta.signature) ?? '');
    }
    return [];
  }

  /** The assembled answer; throws `IncompleteResponseError` without `message_stop`. */
  result(): DriverResult {
    const origin = this.#origin;
    const blocks = [...this.#blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
    if (!this.#stopped) {
      const open = blocks.flatMap((b) => (b.kind === 'tool' ? [b.call.name] : []));
      throw new IncompleteResponseError(
        `${origin.provider} ${origin.model}: the stream ended before message_stop` +
          (open.length > 0 ? ` (tool calls started: ${open.join(', ')})` : ''),
        errorOptions(origin),
      );
    }
    let text = '';
    const toolCalls: ToolCall[] = [];
    const thinking: ThinkingBlock[] = [];
    for (const b of blocks) {
      if (b.kind === 'text') text += b.text;
      else if (b.kind === 'tool') toolCalls.push({ ...b.call, arguments: b.call.arguments || '{}' });
      else if (b.kind === 'thinking') thinking.push(b.block);
    }
    const result: DriverResult = {
      message: { role: 'assistant', content: text },
      usage: this.#usage,
      stopReason: anthropicStopReason(this.#stopReason, origin),
      model: this.#model ?? origin.model,
      requestId: origin.requestId,
      raw: this.#last,
    };
    if (toolCalls.length > 0) result.message.toolCalls = toolCalls;
    if (thinking.length > 0) result.message.thinking = thinking;
    return result;
  }
}
