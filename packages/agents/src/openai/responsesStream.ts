import { classifyError } from '../model/classifyError.js';
import type { DriverResult } from '../model/driver.js';
import { IncompleteResponseError } from '../model/errors.js';
import { isRecord, str } from '../model/json.js';
import type { ChatDelta } from '../model/types.js';
import { errorOptions, type ResponseOrigin } from './chatCompletions.js';
import { fromResponse } from './responses.js';

/**
 * Follows a Responses API event stream: text, reasoning and function-call
 * argument deltas on the way, and the final `response` object of
 * `response.completed` (or `.incomplete`/`.failed`). A stream that ends
 * without one of those was cut short.
 */
export class ResponsesStreamAccumulator {
  readonly #origin: ResponseOrigin;
  /** Tool-call index (0, 1, …) by the stream's `output_index`. */
  readonly #toolIndex = new Map<number, number>();
  #final: unknown;
  #names: string[] = [];

  constructor(origin: ResponseOrigin) {
    this.#origin = origin;
  }

  /** Takes one event; returns its deltas. Throws on `error` and `response.failed` events. */
  add(event: unknown): ChatDelta[] {
    if (!isRecord(event)) return [];
    switch (event.type) {
      case 'response.output_text.delta':
        return str(event.delta) ? [{ type: 'text', text: event.delta as string }] : [];
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return str(event.delta) ? [{ type: 'thinking', text: event.delta as string }] : [];
      case 'response.output_item.added':
        return this.#itemAdded(event);
      case 'response.function_call_arguments.delta': {
        const index = this.#toolIndex.get(Number(event.output_index));
        return index === undefined ? [] : [{ type: 'tool_call', index, arguments: str(event.delta) ?? '' }];
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.#final = event.response;
        return [];
      case 'error': {
        const message = str(event.message) ?? 'unknown error';
        const code = str(event.code);
        const { provider, model, requestId } = this.#origin;
        const info = {
          provider,
          model,
          status: undefined,
          headers: undefined,
          message,
          type: code,
          code,
          requestId,
        };
        throw classifyError(info, new Error(message));
      }
      default:
        return [];
    }
  }

  #itemAdded(event: Record<string, unknown>): ChatDelta[] {
    const item = event.item;
    if (!isRecord(item) || item.type !== 'function_call') return [];
    const index = this.#toolIndex.size;
    this.#toolIndex.set(Number(event.output_index), index);
    const name = str(item.name) ?? '';
    this.#names.push(name);
    const delta: ChatDelta = { type: 'tool_call', index, name, arguments: str(item.arguments) ?? '' };
    const id = str(item.call_id);
    if (id) delta.id = id;
    return [delta];
  }

  /** The final answer; throws `IncompleteResponseError` when the terminal event never came. */
  result(): DriverResult {
    if (this.#final === undefined) {
      const o = this.#origin;
      throw new IncompleteResponseError(
        `${o.provider} ${o.model}: the stream ended before the response was finished` +
          (this.#names.length > 0 ? ` (tool calls started: ${this.#names.join(', ')})` : ''),
        errorOptions(o),
      );
    }
    return fromResponse(this.#final, this.#origin);
  }
}
