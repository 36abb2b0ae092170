import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { DriverResult, PreparedRequest } from '../model/driver.js';
import { ContentFilterError, InvalidResponseError, type ModelErrorOptions } from '../model/errors.js';
import { isRecord, jsonInstruction, num, str } from '../model/json.js';
import type { StopReason, ThinkingBlock, ToolCall, ToolChoice, Usage } from '../model/types.js';
import type { OpenAICompat } from './compat.js';

/** The Chat Completions request body for `request` (without `stream`). */
export function chatBody(
  request: PreparedRequest,
  model: string,
  compat: Required<OpenAICompat>,
): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = request.messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    if (m.role !== 'assistant') return { role: m.role, content: m.content };
    if (!m.toolCalls?.length) return { role: 'assistant', content: m.content };
    return {
      role: 'assistant',
      content: m.content === '' ? null : m.content,
      tool_calls: m.toolCalls.map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.name, arguments: c.arguments },
      })),
    };
  });
  const body: ChatCompletionCreateParamsNonStreaming = { model, messages };
  if (request.tools.length > 0) {
    body.tools = request.tools.map(
      (t): ChatCompletionTool => ({
        type: 'function',
        function: {
          name: t.name,
          description: t.description,
          parameters: t.parameters,
          ...(t.strict ? { strict: true } : {}),
        },
      }),
    );
    if (compat.parallelToolCalls) body.parallel_tool_calls = true;
  }
  if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body[compat.maxTokensField] = request.maxTokens;
  const output = request.output;
  if (output) {
    if (compat.structuredOutput === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: {
          name: output.name,
          schema: output.strict ?? output.schema,
          strict: output.strict !== undefined,
        },
      };
    } else {
      messages.push({ role: 'system', content: jsonInstruction(output.schema) });
      if (compat.structuredOutput === 'json_object') body.response_format = { type: 'json_object' };
    }
  }
  return body;
}

function toolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Where a response came from, for errors. */
export interface ResponseOrigin {
  provider: string;
  model: string;
  requestId: string | undefined;
}

/** Maps a finish reason; `content_filter` throws, tool calls win over a server's `stop`. */
export function chatStopReason(reason: unknown, hasToolCalls: boolean, origin: ResponseOrigin): StopReason {
  if (reason === 'content_filter') {
    throw new ContentFilterError(
      `${origin.provider} ${origin.model}: the answer was blocked by the content filter`,
      {
        ...errorOptions(origin),
      },
    );
  }
  if (hasToolCalls || reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'max_tokens';
  if (reason === 'stop') return 'end';
  return 'other';
}

/** Usage from a Chat Completions `usage` object. */
export function chatUsage(usage: unknown): Usage {
  if (!isRecord(usage)) return { inputTokens: 0, outputTokens: 0 };
  const out: Usage = {
    inputTokens: num(usage.prompt_tokens) ?? 0,
    outputTokens: num(usage.completion_tokens) ?? 0,
  };
  const details = usage.prompt_tokens_details;
  const cached = isRecord(details) ? num(details.cached_tokens) : undefined;
  if (cached !== undefined) out.cacheReadTokens = cached;
  return out;
}

/** Parses a (non-streamed) Chat Completions response; throws `InvalidResponseError` when it is not one. */
export function fromChatCompletion(raw: unknown, origin: ResponseOrigin): DriverResult {
  const choice = isRecord(raw) && Array.isArray(raw.choices) ? raw.choices[0] : undefined;
  if (!isRecord(raw) || !isRecord(choice) || !isRecord(choice.message)) {
    throw new InvalidResponseError(
      `${origin.provider} ${origin.model}: the response is not a chat completion (no choices[0].message)`,
      errorOptions(origin),
    );
  }
  const message = choice.message;
  if (typeof message.refusal === 'string' && message.refusal !== '') {
    throw new ContentFilterError(
      `${origin.provider} ${origin.model}: the model refused: ${message.refusal}`,
      {
        ...errorOptions(origin),
        data: { refusal: message.refusal },
      },
    );
  }
  const toolCalls: ToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((c: unknown, i: number) => {
      if (!isRecord(c) || !isRecord(c.function)) return;
      const args = c.function.arguments;
      toolCalls.push({
        id: str(c.id) ?? `call_${i}`,
        name: str(c.function.name) ?? '',
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      });
    });
  }
  const stopReason = chatStopReason(choice.finish_reason, toolCalls.length > 0, origin);
  const result: DriverResult = {
    message: { role: 'assistant', content: str(message.content) ?? '' },
    usage: chatUsage(raw.usage),
    stopReason,
    model: str(raw.model) ?? origin.model,
    requestId: origin.requestId,
    raw,
  };
  if (toolCalls.length > 0) result.message.toolCalls = toolCalls;
  // DeepSeek, Qwen and vLLM reasoning parsers return the model's reasoning here.
  const reasoning = str(message.reasoning_content) ?? str(message.reasoning);
  if (reasoning) result.message.thinking = [{ text: reasoning } satisfies ThinkingBlock];
  return result;
}

/** Error options naming where a response came from. */
export function errorOptions(origin: ResponseOrigin): ModelErrorOptions {
  return { provider: origin.provider, model: origin.model, requestId: origin.requestId };
}
