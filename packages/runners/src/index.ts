/** The executor agent that runs sub-tasks through a runner. */
export { type RunnerAgentOptions, runnerAgent, type SubTask } from './agent/runnerAgent.js';
export { ClaudeCodeRunner, type ClaudeCodeRunnerOptions, claudeUserMessage } from './cli/ClaudeCodeRunner.js';
export { CliRunner, type CliRunnerOptions, type CliSpec } from './cli/CliRunner.js';
export { CodexRunner, type CodexRunnerOptions } from './cli/CodexRunner.js';
/** Claude Code and Qwen Code: where their stream-json differs. */
export { CLAUDE_DIALECT, type ClaudeDialect, QWEN_DIALECT } from './cli/claudeDialects.js';
/** The stream parsers, one per CLI output format. */
export { createClaudeStreamParser } from './cli/claudeStream.js';
export { type CodexParserOptions, createCodexStreamParser } from './cli/codexStream.js';
export { GeminiCliRunner, type GeminiCliRunnerOptions } from './cli/GeminiCliRunner.js';
export { createGeminiStreamParser } from './cli/geminiStream.js';
export { costOf, DEFAULT_CODEX_PRICES, type ModelPrice, priceOf } from './cli/prices.js';
export { QwenCodeRunner, type QwenCodeRunnerOptions } from './cli/QwenCodeRunner.js';
export type { ParsedOutcome, StreamParser } from './cli/StreamParser.js';
/** Errors, each with a stable code. */
export {
  GatewayRequestError,
  ProtocolError,
  RunnerErrorCode,
  RunnerFailedError,
  RunnerStartError,
  SessionLostError,
  SessionNotFoundError,
  TmuxError,
} from './errors.js';
/** The HTTP sessions gateway (plan B). */
export { GatewayRunner, type GatewayRunnerOptions } from './gateway/GatewayRunner.js';
/** Splitting byte streams into UTF-8 lines. */
export { DEFAULT_MAX_LINE_BYTES, LineDecoder, type LineDecoderOptions } from './internal/LineDecoder.js';
/** OpenClaw's WebSocket gateway. */
export { OpenClawRunner, type OpenClawRunnerOptions } from './openclaw/OpenClawRunner.js';
/** Child processes. */
export { ProcessRunner, type ProcessRunnerOptions } from './process/ProcessRunner.js';
export { PROCESS_KEYS, type ProcessKey } from './process/ProcessSession.js';
/** tmux. */
export { DEFAULT_TMUX_KEYS, type TmuxKey } from './tmux/keys.js';
export { TmuxRunner, type TmuxRunnerOptions } from './tmux/TmuxRunner.js';
export type { TmuxSession } from './tmux/TmuxSession.js';
/** The runner contract. */
export type {
  FinalStatus,
  OutputLine,
  Runner,
  RunnerErrorInfo,
  RunnerResult,
  RunnerSession,
  RunnerStatus,
  RunnerTask,
  StartOptions,
  Usage,
  WaitOptions,
} from './types.js';
