import type { ProgressInput } from '@troupe/core';
import type { Observable } from 'rxjs';

/** Where a session is in its life; the last four are final. */
export type RunnerStatus = 'starting' | 'running' | 'paused' | FinalStatus;

/** How a session ended. */
export type FinalStatus = 'completed' | 'failed' | 'timed_out' | 'cancelled';

/** What to run. Each runner documents the fields it reads. */
export interface RunnerTask {
  /** The program and its arguments, never joined into a shell string (ProcessRunner, TmuxRunner). */
  command?: readonly string[];
  /** The instruction for a coding agent (CLI and gateway runners), or text typed after start (TmuxRunner). */
  prompt?: string;
  /** Model name passed to the program (e.g. `sonnet`). */
  model?: string;
  /** A human label, shown in logs and on gateways. */
  label?: string;
  /** Close the program's input right after start, so it does not wait for more (piped runners). */
  closeInput?: boolean;
}

/** Options of {@link Runner.start}. */
export interface StartOptions {
  /** Working directory of the program (default: this process's). */
  cwd?: string;
  /** Variables added to this process's environment for the program. */
  env?: Readonly<Record<string, string>>;
  /** Ms the session may run; then it is stopped and ends `timed_out`. */
  timeout?: number;
  /** Aborting cancels the session (and rejects `start` if it is still starting). */
  signal?: AbortSignal;
  /** A coding agent's own session id to resume (`claude --resume`, `codex exec resume`, …). */
  sessionId?: string;
  /** This session's id (default: a new UUIDv7); tmux session names derive from it. */
  id?: string;
}

/** Options of every wait: `timeout` in ms, `signal` to stop waiting. */
export interface WaitOptions {
  /** Ms to wait before rejecting with `TimeoutError` (the session goes on). */
  timeout?: number;
  /** Aborting rejects the wait with a `CancelledError` (the session goes on). */
  signal?: AbortSignal;
}

/** One line the program printed, decoded as UTF-8, without its line ending. */
export interface OutputLine {
  /** `stdout`/`stderr` for pipes, `pty` for a terminal (tmux), `gateway` for remote sessions. */
  stream: 'stdout' | 'stderr' | 'pty' | 'gateway';
  /** The line's text. */
  text: string;
  /** True when the line was longer than the runner's line cap and was cut there. */
  truncated?: boolean;
}

/** Tokens a session used, as the program reported them. */
export interface Usage {
  /** Input tokens not served from a cache. */
  inputTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /** Input tokens read from a prompt cache. */
  cachedInputTokens?: number;
  /** Input tokens written to a prompt cache. */
  cacheCreationTokens?: number;
}

/** Why a session failed, timed out or was cancelled: a stable `code` and a message (JSON-safe). */
export interface RunnerErrorInfo {
  /** Stable code: a Troupe error code, or the program's own (e.g. `error_max_turns`). */
  code: string;
  /** What went wrong. */
  message: string;
}

/** What {@link RunnerSession.wait} resolves with. */
export interface RunnerResult {
  /** How the session ended. */
  status: FinalStatus;
  /** The process exit code (`null` when killed by a signal, unknown, or not a process). */
  exitCode: number | null;
  /** The signal that ended the process, if any (e.g. `SIGTERM`). */
  signal?: string;
  /** The program's final answer (a coding agent's result text). */
  result?: string;
  /** Tokens used. */
  usage?: Usage;
  /** Cost in USD, reported by the program or computed from usage and a price table. */
  costUsd?: number;
  /** Files the program changed (paths as it reported them), in first-seen order. */
  artifacts: string[];
  /** The coding agent's own session id, to resume it with `StartOptions.sessionId`. */
  sessionId?: string;
  /** Why it did not complete. */
  error?: RunnerErrorInfo;
  /** Wall time, ms. */
  durationMs?: number;
}

/**
 * A running (or finished) program under a runner's control. Output and progress are hot
 * streams that also replay their last lines/events to late subscribers, and complete when
 * the session ends.
 */
export interface RunnerSession {
  /** This session's id: pass it to {@link Runner.reattach} from any process sharing the store. */
  readonly id: string;
  /** Every output line (the last 256 replayed to late subscribers). */
  readonly output$: Observable<OutputLine>;
  /** Progress parsed from the output: `task.log`, `task.tool_call`, `task.tokens`, `task.artifact`, `task.progress`, `task.paused`, `task.resumed` (the last 1024 replayed). */
  readonly events$: Observable<ProgressInput>;
  /** The current status. */
  status(): RunnerStatus;
  /** Sends text to the program (stdin, keystrokes, or a gateway message); `ClosedError` once it ended. */
  send(text: string, options?: WaitOptions): Promise<void>;
  /** Sends a named key or shortcut (`enter`, `interrupt`, `pause`, `quit`, `/model`, …; see each runner). */
  key(name: string, options?: WaitOptions): Promise<void>;
  /** Pauses the program (signals, keys, or the gateway's own pause); emits `task.paused`. */
  pause(options?: WaitOptions): Promise<void>;
  /** Resumes it; emits `task.resumed`. */
  resume(options?: WaitOptions): Promise<void>;
  /** Stops the program and everything it started; resolves once nothing is left running. Idempotent. */
  cancel(reason?: string, options?: WaitOptions): Promise<void>;
  /** Resolves with the result once the session ended (never rejects for a failed run). */
  wait(options?: WaitOptions): Promise<RunnerResult>;
}

/** Starts programs as sessions and finds them again by id. */
export interface Runner<S extends RunnerSession = RunnerSession> {
  /** Short name of the runner, e.g. `process`, `tmux`, `claude-code`. */
  readonly kind: string;
  /** Starts `task`; rejects with a `ValidationError` for a task it cannot run, or the start failure. */
  start(task: RunnerTask, options?: StartOptions): Promise<S>;
  /** Finds a live or finished session by id (from this or another process); `SessionNotFoundError` if unknown. */
  reattach(id: string, options?: WaitOptions): Promise<S>;
  /** Stops watching; each runner documents whether its running sessions are cancelled. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
