export type { AnthropicModelOptions } from './anthropic/AnthropicModel.js';
export { AnthropicModel } from './anthropic/AnthropicModel.js';
export type { CreateModelOptions } from './createModel.js';
export { createModel, DEFAULT_MODELS } from './createModel.js';
export type { ConnectMcpOptions, McpConnection, McpServerSpec } from './mcp/connectMcp.js';
export { connectMcp } from './mcp/connectMcp.js';
export type { ConversationMemoryOptions, MemorySnapshot } from './memory/ConversationMemory.js';
export { ConversationMemory, memoryKey } from './memory/ConversationMemory.js';
export type { CompactionContext, Compactor, SummarizeOptions } from './memory/compaction.js';
export { dropOldest, summarizeWith } from './memory/compaction.js';
export type { TokenCounter } from './memory/tokens.js';
export { estimateTokens, messageTokens } from './memory/tokens.js';
export type { ModelErrorOptions } from './model/errors.js';
export {
  AuthenticationError,
  BadRequestError,
  ContentFilterError,
  ContextLengthError,
  IncompleteResponseError,
  InvalidResponseError,
  MissingApiKeyError,
  ModelConnectionError,
  ModelError,
  ModelErrorCode,
  RateLimitError,
  ServerError,
} from './model/errors.js';
export type { ModelCommonOptions } from './model/ModelEngine.js';
export type { ModelPrice, PriceTable } from './model/pricing.js';
export { costOf, priceOf } from './model/pricing.js';
export { redactSecrets } from './model/redact.js';
export type { RetryPolicy } from './model/retry.js';
export { isRetryableError, retryDelay } from './model/retry.js';
export { parseRetryAfter } from './model/retryAfter.js';
export { jsonSchemaOf } from './model/structured.js';
export type {
  AssistantMessage,
  ChatDelta,
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  JsonSchema,
  ModelDeltaEvent,
  ProgressSink,
  StopReason,
  SystemMessage,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
  ToolMessage,
  ToolSpec,
  Usage,
  UserMessage,
} from './model/types.js';
export type { CompatPreset, OpenAICompat } from './openai/compat.js';
export { COMPAT_PRESETS } from './openai/compat.js';
export type { OpenAIModelOptions } from './openai/OpenAIModel.js';
export { OpenAIModel } from './openai/OpenAIModel.js';
export type { ScriptedModelOptions } from './scripted/ScriptedModel.js';
export { ScriptedModel } from './scripted/ScriptedModel.js';
export type {
  RecordedRequest,
  ScriptedReply,
  ScriptedResponder,
  ScriptedToolCall,
} from './scripted/script.js';
export type { PreviewOptions } from './tools/preview.js';
export { previewValue, redactSensitive } from './tools/preview.js';
export type { RunToolCallsOptions } from './tools/runToolCalls.js';
export { runToolCalls } from './tools/runToolCalls.js';
export type { Tool, ToolContext, ToolDefinition, ToolOutcome } from './tools/tool.js';
export { tool } from './tools/tool.js';
