import type {
  ToolChoice as AnthropicToolChoice,
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type { DriverResult, PreparedRequest } from '../model/driver.js';
import { ContentFilterError, InvalidResponseError, type ModelErrorOptions } from '../model/errors.js';
import { isRecord, num, objectOrEmpty, str } from '../model/json.js';
import type { StopReason, ThinkingBlock, ToolCall, ToolChoice, Usage } from '../model/types.js';

/** Where a response came from, for errors. */
export interface AnthropicOrigin {
  provider: string;
  model: string;
  requestId: string | undefined;
}

const ephemeral = { type: 'ephemeral' } as const;

/**
 * The Messages API body for `request`: system messages become `system`,
 * tool results are grouped into one user turn (as parallel tool use
 * requires), and `cache` marks the system prompt, the tools and the last
 * message as cache breakpoints.
 */
export function messagesBody(
  request: PreparedRequest,
  model: string,
  defaultMaxTokens: number,
): MessageCreateParamsNonStreaming {
  const system: TextBlockParam[] = [];
  const messages: MessageParam[] = [];
  const userBlocks = (): ContentBlockParam[] => {
    const last = messages.at(-1);
    if (last?.role === 'user' && Array.isArray(last.content)) return last.content;
    const blocks: ContentBlockParam[] = [];
    messages.push({ role: 'user', content: blocks });
    return blocks;
  };
  for (const m of request.messages) {
    if (m.role === 'system') system.push({ type: 'text', text: m.content });
    else if (m.role === 'user') userBlocks().push({ type: 'text', text: m.content });
    else if (m.role === 'tool') {
      userBlocks().push({
        type: 'tool_result',
        tool_use_id: m.toolCallId,
        content: m.content,
        ...(m.isError ? { is_error: true } : {}),
      });
    } else {
      const blocks: ContentBlockParam[] = [];
      for (const t of m.thinking ?? []) {
        if (t.signature !== undefined)
          blocks.push({ type: 'thinking', thinking: t.text, signature: t.signature });
      }
      if (m.content !== '') blocks.push({ type: 'text', text: m.content });
      for (const c of m.toolCalls ?? []) {
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: objectOrEmpty(c.arguments) });
      }
      messages.push({ role: 'assistant', content: blocks });
    }
  }
  const body: MessageCreateParamsNonStreaming = {
    model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body.system = system;
  if (request.tools.length > 0) {
    body.tools = request.tools.map(
      (t): Tool => ({
        name: t.name,
        description: t.description,
        input_schema: t.parameters as Tool['input_schema'],
      }),
    );
  }
  if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
  // `temperature` is not sent: the Messages API of this SDK major no longer takes it.
  if (request.output) {
    body.output_config = {
      format: { type: 'json_schema', schema: request.output.strict ?? request.output.schema },
    };
  }
  if (request.cache) markCacheable(body);
  return body;
}

function toolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.name };
}

function markCacheable(body: MessageCreateParamsNonStreaming): void {
  const lastSystem = Array.isArray(body.system) ? body.system.at(-1) : undefined;
  if (lastSystem) lastSystem.cache_control = ephemeral;
  const lastTool = body.tools?.at(-1);
  if (lastTool && 'input_schema' in lastTool) lastTool.cache_control = ephemeral;
  const lastMessage = body.messages.at(-1);
  const lastBlock = Array.isArray(lastMessage?.content) ? lastMessage.content.at(-1) : undefined;
  if (
    lastBlock &&
    'type' in lastBlock &&
    lastBlock.type !== 'thinking' &&
    lastBlock.type !== 'redacted_thinking'
  ) {
    (lastBlock as { cache_control?: unknown }).cache_control = ephemeral;
  }
}

/** Usage from a Messages `usage` object; `inputTokens` adds cache reads and writes to `input_tokens`. */
export function anthropicUsage(usage: unknown): Usage {
  if (!isRecord(usage)) return { inputTokens: 0, outputTokens: 0 };
  const read = num(usage.cache_read_input_tokens);
  const write = num(usage.cache_creation_input_tokens);
  const out: Usage = {
    inputTokens: (num(usage.input_tokens) ?? 0) + (read ?? 0) + (write ?? 0),
    outputTokens: num(usage.output_tokens) ?? 0,
  };
  if (read !== undefined) out.cacheReadTokens = read;
  if (write !== undefined) out.cacheWriteTokens = write;
  return out;
}

/** Maps a stop reason; `refusal` throws `ContentFilterError`. */
export function anthropicStopReason(reason: unknown, origin: AnthropicOrigin): StopReason {
  if (reason === 'refusal') {
    throw new ContentFilterError(
      `${origin.provider} ${origin.model}: the model refused to answer`,
      errorOptions(origin),
    );
  }
  if (reason === 'end_turn') return 'end';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'max_tokens';
  if (reason === 'stop_sequence') return 'stop_sequence';
  return 'other';
}

/** Parses a (non-streamed) Messages response; throws `InvalidResponseError` when it is not one. */
export function fromMessage(raw: unknown, origin: AnthropicOrigin): DriverResult {
  if (!isRecord(raw) || !Array.isArray(raw.content)) {
    throw new InvalidResponseError(
      `${origin.provider} ${origin.model}: the response is not a message (no content array)`,
      errorOptions(origin),
    );
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const block of raw.content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text') text += str(block.text) ?? '';
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: str(block.id) ?? '',
        name: str(block.name) ?? '',
        arguments: JSON.stringify(block.input ?? {}),
      });
    } else if (block.type === 'thinking') {
      const t: ThinkingBlock = { text: str(block.thinking) ?? '' };
      const signature = str(block.signature);
      if (signature !== undefined) t.signature = signature;
      thinking.push(t);
    }
  }
  const result: DriverResult = {
    message: { role: 'assistant', content: text },
    usage: anthropicUsage(raw.usage),
    stopReason: anthropicStopReason(raw.stop_reason, origin),
    model: str(raw.model) ?? origin.model,
    requestId: origin.requestId,
    raw,
  };
  if (toolCalls.length > 0) result.message.toolCalls = toolCalls;
  if (thinking.length > 0) result.message.thinking = thinking;
  return result;
}

/** Error options naming where a response came from. */
export function errorOptions(origin: AnthropicOrigin): ModelErrorOptions {
  return { provider: origin.provider, model: origin.model, requestId: origin.requestId };
}
