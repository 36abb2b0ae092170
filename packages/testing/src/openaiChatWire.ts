import type { SseEvent, StandInReply } from './modelServer.js';
import { type CutOptions, halves, stopOf, type WireAnswer } from './wireAnswer.js';

const finish = {
  end: 'stop',
  tool_calls: 'tool_calls',
  max_tokens: 'length',
  content_filter: 'content_filter',
} as const;

function usageOf(answer: WireAnswer) {
  const u = answer.usage ?? { input: 10, output: 5 };
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    ...(u.cached !== undefined ? { prompt_tokens_details: { cached_tokens: u.cached } } : {}),
  };
}

/** A Chat Completions response body (`chat.completion`) for `answer`. */
export function chatCompletion(answer: WireAnswer): Record<string, unknown> {
  return {
    id: 'chatcmpl-standin',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: answer.model ?? 'gpt-standin',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.toolCalls?.length && !answer.text ? null : (answer.text ?? ''),
          refusal: null,
          ...(answer.thinking ? { reasoning_content: answer.thinking } : {}),
          ...(answer.toolCalls?.length
            ? {
                tool_calls: answer.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        finish_reason: finish[stopOf(answer)],
        logprobs: null,
      },
    ],
    usage: usageOf(answer),
  };
}

/**
 * The SSE events of a streamed Chat Completions answer (`chat.completion.chunk`):
 * role, text in two pieces, each tool call's arguments in two pieces, the
 * finish reason, a usage chunk, `[DONE]`.
 */
export function chatCompletionChunks(answer: WireAnswer, options: CutOptions = {}): SseEvent[] {
  const model = answer.model ?? 'gpt-standin';
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    data: {
      id: 'chatcmpl-standin',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '' })];
  if (answer.thinking) events.push(chunk({ reasoning_content: answer.thinking }));
  if (answer.text) for (const part of halves(answer.text)) if (part) events.push(chunk({ content: part }));
  const calls = answer.toolCalls ?? [];
  calls.forEach((c, index) => {
    const [first, second] = halves(c.arguments);
    events.push(
      chunk({
        tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }],
      }),
    );
    events.push(chunk({ tool_calls: [{ index, function: { arguments: first } }] }));
    if (options.cutMidToolArguments && index === calls.length - 1) return;
    if (second) events.push(chunk({ tool_calls: [{ index, function: { arguments: second } }] }));
  });
  if (options.cutMidToolArguments) return events;
  events.push(chunk({}, finish[stopOf(answer)]));
  events.push({
    data: {
      id: 'chatcmpl-standin',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [],
      usage: usageOf(answer),
    },
  });
  events.push({ data: '[DONE]' });
  return events;
}

/** An OpenAI-style error reply: `{ error: { message, type, code } }` with `status` and extra headers. */
export function openaiError(
  status: number,
  error: { message: string; type?: string; code?: string },
  headers: Record<string, string> = {},
): StandInReply {
  return {
    status,
    headers,
    json: { error: { type: 'invalid_request_error', code: null, param: null, ...error } },
  };
}
