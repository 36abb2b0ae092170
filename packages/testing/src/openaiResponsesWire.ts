import type { SseEvent } from './modelServer.js';
import { type CutOptions, halves, stopOf, type WireAnswer } from './wireAnswer.js';

function output(answer: WireAnswer): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  if (answer.thinking) {
    items.push({ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: answer.thinking }] });
  }
  if (answer.text) {
    items.push({
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: answer.text, annotations: [] }],
    });
  }
  for (const [i, c] of (answer.toolCalls ?? []).entries()) {
    items.push({
      type: 'function_call',
      id: `fc_${i}`,
      call_id: c.id,
      name: c.name,
      arguments: c.arguments,
      status: 'completed',
    });
  }
  return items;
}

/** A Responses API `response` object for `answer` (`status` `incomplete` for `max_tokens`/`content_filter`). */
export function responsesResponse(answer: WireAnswer): Record<string, unknown> {
  const stop = stopOf(answer);
  const u = answer.usage ?? { input: 10, output: 5 };
  const incomplete =
    stop === 'max_tokens' ? 'max_output_tokens' : stop === 'content_filter' ? 'content_filter' : undefined;
  return {
    id: 'resp_standin',
    object: 'response',
    created_at: 1_700_000_000,
    model: answer.model ?? 'gpt-standin',
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? { reason: incomplete } : null,
    error: null,
    output: output(answer),
    usage: {
      input_tokens: u.input,
      output_tokens: u.output,
      total_tokens: u.input + u.output,
      input_tokens_details: { cached_tokens: u.cached ?? 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
  };
}

/**
 * The SSE events of a streamed Responses API answer: `response.created`,
 * output items with text and function-call argument deltas, then
 * `response.completed` (or `.incomplete`) with the whole response.
 */
export function responsesEvents(answer: WireAnswer, options: CutOptions = {}): SseEvent[] {
  let seq = 0;
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, sequence_number: seq++, ...body },
  });
  const final = responsesResponse(answer);
  const events: SseEvent[] = [
    ev('response.created', { response: { ...final, status: 'in_progress', output: [] } }),
  ];
  let index = 0;
  if (answer.thinking) {
    events.push(
      ev('response.reasoning_summary_text.delta', {
        item_id: 'rs_1',
        output_index: index++,
        summary_index: 0,
        delta: answer.thinking,
      }),
    );
  }
  if (answer.text) {
    const at = index++;
    events.push(
      ev('response.output_item.added', {
        output_index: at,
        item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] },
      }),
    );
    for (const part of halves(answer.text)) {
      if (part)
        events.push(
          ev('response.output_text.delta', {
            item_id: 'msg_1',
            output_index: at,
            content_index: 0,
            delta: part,
          }),
        );
    }
  }
  const calls = answer.toolCalls ?? [];
  for (const [i, c] of calls.entries()) {
    const at = index++;
    const id = `fc_${i}`;
    events.push(
      ev('response.output_item.added', {
        output_index: at,
        item: {
          type: 'function_call',
          id,
          call_id: c.id,
          name: c.name,
          arguments: '',
          status: 'in_progress',
        },
      }),
    );
    const [first, second] = halves(c.arguments);
    events.push(
      ev('response.function_call_arguments.delta', { item_id: id, output_index: at, delta: first }),
    );
    if (options.cutMidToolArguments && i === calls.length - 1) return events;
    if (second)
      events.push(
        ev('response.function_call_arguments.delta', { item_id: id, output_index: at, delta: second }),
      );
    events.push(
      ev('response.function_call_arguments.done', { item_id: id, output_index: at, arguments: c.arguments }),
    );
  }
  events.push(
    ev(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final }),
  );
  return events;
}
