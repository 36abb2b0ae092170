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
export type { CreatePlanOptions } from './planner/createPlan.js';
export { createPlan } from './planner/createPlan.js';
export type { PlanningCall } from './planner/draftWithRepairs.js';
export { PLAN_INVALID, PlanError } from './planner/PlanError.js';
export type { ExecutorInfo, Plan, PlanDraft, SubTask } from './planner/plan.js';
export { ExecutorInfoSchema, PlanDraftSchema, PlanSchema, SubTaskSchema } from './planner/plan.js';
export type { PlannerAgentOptions, PlannerProtocol } from './planner/plannerAgent.js';
export { PlanRequest, plannerAgent, ReplanRequest } from './planner/plannerAgent.js';
export type { ReplanOptions, ReplanOutcome, ReplanResult } from './planner/replan.js';
export { replan } from './planner/replan.js';
export type { ValidatePlanOptions } from './planner/validatePlan.js';
export { dependentsOf, findCycles, validatePlan } from './planner/validatePlan.js';
export type { ReActCompleted, ReActIncomplete, ReActOutcome, ReActRunInput } from './react/outcome.js';
export { ReActOutcomeSchema, ReActRun } from './react/outcome.js';
export type { ReActAgentOptions, ReActProtocol } from './react/reactAgent.js';
export { reactAgent } from './react/reactAgent.js';
export type { ReActOptions, ReActRunOptions } from './react/runReAct.js';
export { runReAct } from './react/runReAct.js';
export type { ScriptedModelOptions } from './scripted/ScriptedModel.js';
export { ScriptedModel } from './scripted/ScriptedModel.js';
export type {
  RecordedRequest,
  ScriptedReply,
  ScriptedResponder,
  ScriptedToolCall,
} from './scripted/script.js';
export type { Route, RouteDefaults, StrategyOptions } from './strategy/route.js';
export { ROUTE_UNREGISTERED, RouteSchema, RoutingError, route } from './strategy/route.js';
export type { RouteChoice, RuleMatch, StrategyRule } from './strategy/rules.js';
export { matchRule } from './strategy/rules.js';
export type { StrategyAgentOptions, StrategyProtocol } from './strategy/strategyAgent.js';
export { RoutePlanRequest, RouteRequest, strategyAgent } from './strategy/strategyAgent.js';
export type { ApprovalDecision, ApprovalRequest, Approver } from './tools/approval.js';
export type { PreviewOptions } from './tools/preview.js';
export { previewValue, redactSensitive } from './tools/preview.js';
export type { RunToolCallsOptions } from './tools/runToolCalls.js';
export { runToolCalls } from './tools/runToolCalls.js';
export type { Tool, ToolContext, ToolDefinition, ToolOutcome } from './tools/tool.js';
export { tool } from './tools/tool.js';
export type { EstimatePlan } from './tracker/estimate.js';
export { estimateRemaining } from './tracker/estimate.js';
export type { TrackerAgentOptions, TrackerProtocol } from './tracker/trackerAgent.js';
export { ProgressGet, TrackEvents, TrackPlan, trackerAgent } from './tracker/trackerAgent.js';
export { rebuildProgress, trackerKeys } from './tracker/trackerStore.js';
export type { RunTracking, TrackRunOptions } from './tracker/trackRun.js';
export { trackRun } from './tracker/trackRun.js';
export type { UserChannel, UserPrompt } from './user/channel.js';
export { isApproval } from './user/channel.js';
export type { HttpChannel, HttpChannelOptions } from './user/httpChannel.js';
export { startHttpChannel } from './user/httpChannel.js';
export type { UserAnswer, UserApproval } from './user/messages.js';
export { UserApprove, UserAsk } from './user/messages.js';
export type { ScriptedChannel } from './user/scriptedChannel.js';
export { scriptedChannel } from './user/scriptedChannel.js';
export type { TerminalChannel, TerminalChannelOptions } from './user/terminalChannel.js';
export { terminalChannel } from './user/terminalChannel.js';
export type { UserAgentOptions, UserProtocol } from './user/userAgent.js';
export { approveWith, userAgent } from './user/userAgent.js';
