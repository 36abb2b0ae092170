import type { SseEvent, StandInReply } from './modelServer.js';
import { type CutOptions, halves, stopOf, type WireAnswer } from './wireAnswer.js';

const stopReasons = {
  end: 'end_turn',
  tool_calls: 'tool_use',
  max_tokens: 'max_tokens',
  content_filter: 'refusal',
} as const;

function usageOf(answer: WireAnswer, output = answer.usage?.output ?? 5) {
  const u = answer.usage ?? { input: 10, output: 5 };
  return {
    input_tokens: u.input,
    output_tokens: output,
    cache_read_input_tokens: u.cached ?? 0,
    cache_creation_input_tokens: u.cacheWrite ?? 0,
  };
}

/** A Messages API response body for `answer`. */
export function anthropicMessage(answer: WireAnswer): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = [];
  if (answer.thinking)
    content.push({ type: 'thinking', thinking: answer.thinking, signature: 'sig-standin' });
  if (answer.text) content.push({ type: 'text', text: answer.text });
  for (const c of answer.toolCalls ?? []) {
    content.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments) as unknown });
  }
  return {
    id: 'msg_standin',
    type: 'message',
    role: 'assistant',
    model: answer.model ?? 'claude-standin',
    content,
    stop_reason: stopReasons[stopOf(answer)],
    stop_sequence: null,
    usage: usageOf(answer),
  };
}

/**
 * The SSE events of a streamed Messages answer: `message_start`, per block
 * `content_block_start`/`_delta`/`_stop` (text and `input_json_delta` in two
 * pieces), `message_delta` with the stop reason and output tokens, `message_stop`.
 */
export function anthropicEvents(answer: WireAnswer, options: CutOptions = {}): SseEvent[] {
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, ...body },
  });
  const start = { ...anthropicMessage(answer), content: [], stop_reason: null, usage: usageOf(answer, 1) };
  const events: SseEvent[] = [ev('message_start', { message: start })];
  let index = 0;
  if (answer.thinking) {
    events.push(
      ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    );
    events.push(
      ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: answer.thinking } }),
    );
    events.push(
      ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'sig-standin' } }),
    );
    events.push(ev('content_block_stop', { index: index++ }));
  }
  if (answer.text) {
    events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const part of halves(answer.text)) {
      if (part) events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: part } }));
    }
    events.push(ev('content_block_stop', { index: index++ }));
  }
  const calls = answer.toolCalls ?? [];
  for (const [i, c] of calls.entries()) {
    events.push(
      ev('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} },
      }),
    );
    const [first, second] = halves(c.arguments);
    events.push(
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: first } }),
    );
    if (options.cutMidToolArguments && i === calls.length - 1) return events;
    if (second)
      events.push(
        ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: second } }),
      );
    events.push(ev('content_block_stop', { index: index++ }));
  }
  events.push(
    ev('message_delta', {
      delta: { stop_reason: stopReasons[stopOf(answer)], stop_sequence: null },
      usage: { output_tokens: answer.usage?.output ?? 5 },
    }),
  );
  events.push(ev('message_stop', {}));
  return events;
}

/** An Anthropic-style error reply: `{ type: 'error', error: { type, message } }` with `status` and extra headers. */
export function anthropicError(
  status: number,
  error: { type: string; message: string },
  headers: Record<string, string> = {},
): StandInReply {
  return { status, headers, json: { type: 'error', error } };
}
