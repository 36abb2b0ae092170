import type {
  FunctionTool,
  ResponseCreateParamsNonStreaming,
  ResponseInputItem,
} from 'openai/resources/responses/responses';
import type { DriverResult, PreparedRequest } from '../model/driver.js';
import { ContentFilterError, InvalidResponseError, ServerError } from '../model/errors.js';
import { isRecord, num, str } from '../model/json.js';
import type { StopReason, ToolCall, Usage } from '../model/types.js';
import { errorOptions, type ResponseOrigin } from './chatCompletions.js';

/** The Responses API request body for `request` (stateless: `store: false`, the whole conversation as `input`). */
export function responsesBody(request: PreparedRequest, model: string): ResponseCreateParamsNonStreaming {
  const input: ResponseInputItem[] = [];
  for (const m of request.messages) {
    if (m.role === 'tool') {
      input.push({ type: 'function_call_output', call_id: m.toolCallId, output: m.content });
    } else if (m.role === 'assistant') {
      if (m.content !== '') input.push({ role: 'assistant', content: m.content });
      for (const c of m.toolCalls ?? []) {
        input.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments });
      }
    } else {
      input.push({ role: m.role, content: m.content });
    }
  }
  const body: ResponseCreateParamsNonStreaming = { model, input, store: false };
  if (request.tools.length > 0) {
    body.tools = request.tools.map(
      (t): FunctionTool => ({
        type: 'function',
        name: t.name,
        description: t.description,
        parameters: t.parameters,
        strict: t.strict ?? false,
      }),
    );
  }
  const choice = request.toolChoice;
  if (choice !== undefined)
    body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens;
  if (request.output) {
    const { name, schema, strict } = request.output;
    body.text = {
      format: { type: 'json_schema', name, schema: strict ?? schema, strict: strict !== undefined },
    };
  }
  return body;
}

/** Usage from a Responses API `usage` object. */
function responsesUsage(usage: unknown): Usage {
  if (!isRecord(usage)) return { inputTokens: 0, outputTokens: 0 };
  const out: Usage = {
    inputTokens: num(usage.input_tokens) ?? 0,
    outputTokens: num(usage.output_tokens) ?? 0,
  };
  const details = usage.input_tokens_details;
  const cached = isRecord(details) ? num(details.cached_tokens) : undefined;
  if (cached !== undefined) out.cacheReadTokens = cached;
  return out;
}

/**
 * Parses a Responses API `response` object (from `create` or a stream's
 * `response.completed`/`response.incomplete`): `failed` throws `ServerError`,
 * a content-filter stop or a refusal throws `ContentFilterError`.
 */
export function fromResponse(raw: unknown, origin: ResponseOrigin): DriverResult {
  if (!isRecord(raw) || !Array.isArray(raw.output)) {
    throw new InvalidResponseError(
      `${origin.provider} ${origin.model}: the response is not a Responses API response (no output array)`,
      errorOptions(origin),
    );
  }
  const what = `${origin.provider} ${origin.model}`;
  if (raw.status === 'failed') {
    const error = isRecord(raw.error) ? raw.error : {};
    throw new ServerError(`${what}: the response failed: ${str(error.message) ?? 'unknown error'}`, {
      ...errorOptions(origin),
      data: { errorCode: str(error.code) },
    });
  }
  const incomplete =
    raw.status === 'incomplete' && isRecord(raw.incomplete_details)
      ? raw.incomplete_details.reason
      : undefined;
  if (incomplete === 'content_filter') {
    throw new ContentFilterError(
      `${what}: the answer was blocked by the content filter`,
      errorOptions(origin),
    );
  }
  let text = '';
  let thinking = '';
  const toolCalls: ToolCall[] = [];
  for (const item of raw.output) {
    if (!isRecord(item)) continue;
    if (item.type === 'function_call') {
      toolCalls.push({
        id: str(item.call_id) ?? str(item.id) ?? `call_${toolCalls.length}`,
        name: str(item.name) ?? '',
        arguments: str(item.arguments) ?? '',
      });
    } else if (item.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const s of item.summary) if (isRecord(s)) thinking += str(s.text) ?? '';
    } else if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isRecord(part)) continue;
        if (part.type === 'refusal') {
          throw new ContentFilterError(`${what}: the model refused: ${str(part.refusal) ?? ''}`, {
            ...errorOptions(origin),
            data: { refusal: str(part.refusal) },
          });
        }
        if (part.type === 'output_text') text += str(part.text) ?? '';
      }
    }
  }
  const stopReason: StopReason =
    toolCalls.length > 0
      ? 'tool_calls'
      : incomplete === 'max_output_tokens'
        ? 'max_tokens'
        : incomplete
          ? 'other'
          : 'end';
  const result: DriverResult = {
    message: { role: 'assistant', content: text },
    usage: responsesUsage(raw.usage),
    stopReason,
    model: str(raw.model) ?? origin.model,
    requestId: origin.requestId,
    raw,
  };
  if (toolCalls.length > 0) result.message.toolCalls = toolCalls;
  if (thinking) result.message.thinking = [{ text: thinking }];
  return result;
}
