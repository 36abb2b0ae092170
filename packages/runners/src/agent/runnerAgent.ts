import {
  type AgentDef,
  asCancellation,
  CancelledError,
  defineAgent,
  defineMessage,
  type HandlerContext,
  type MessageDef,
  on,
  TimeoutError,
} from '@troupe/core';
import { z } from 'zod';
import { RunnerFailedError } from '../errors.js';
import type { Runner, RunnerResult, RunnerTask, StartOptions } from '../types.js';

/** The fields of a sub-task message the default mapping reads (a TaskGroup's `task.assign` has them). */
const SubTaskSchema = z
  .object({
    label: z.string().optional(),
    prompt: z.string().optional(),
    model: z.string().optional(),
    input: z.unknown().optional(),
  })
  .passthrough();

/** A sub-task as the default mapping reads it. */
export type SubTask = z.output<typeof SubTaskSchema>;

/** Options of {@link runnerAgent}. */
export interface RunnerAgentOptions<P = SubTask> {
  /** The agent type (default `runner`). */
  type?: string;
  /**
   * The message it handles (default: `task.assign` read structurally: `{ label?, prompt?, model?,
   * input? }`, which is what a TaskGroup sends). Pass `TaskAssign` from `@troupe/pipelines` or a
   * message of your own, with `toTask` to map it.
   */
  message?: MessageDef<string, z.ZodType<P>>;
  /** Sub-task → runner task (default: its `prompt` — or `input` when that is a string —, `model`, `label`). */
  toTask?: (payload: P) => RunnerTask;
  /** Where and how each session starts: `cwd`, `env`, `timeout` (ms). */
  start?: Pick<StartOptions, 'cwd' | 'env' | 'timeout'>;
  /** Completed session → the sub-task's result (default: the program's final text, else the whole result). */
  toResult?: (result: RunnerResult) => unknown;
  /**
   * How long a session may keep running past its ask's deadline before the runtime abandons it
   * and restarts the instance, ms (default 300 000: stopping a program and its children can take
   * a while; see `SupervisionOptions.hangGraceMs`).
   */
  hangGraceMs?: number;
}

function defaultTask(payload: SubTask): RunnerTask {
  const task: RunnerTask = {};
  const prompt = payload.prompt ?? (typeof payload.input === 'string' ? payload.input : undefined);
  if (prompt !== undefined) task.prompt = prompt;
  if (payload.model !== undefined) task.model = payload.model;
  if (payload.label !== undefined) task.label = payload.label;
  return task;
}

/**
 * An executor agent that runs each sub-task it is given through `runner`: it starts a session
 * bound to the ask's signal, forwards the session's progress (`task.log`, `task.tool_call`,
 * `task.tokens`, `task.artifact`, `task.progress`) under the sub-task's task id, and answers with
 * the result. A failed run throws `RunnerFailedError` (exit code, the program's error code and its
 * session id in `data`), a timed-out one `TimeoutError`, a cancelled one `CancelledError`. When
 * the ask is cancelled or times out the session is cancelled, and the handler returns only once
 * the program and everything it started are gone.
 * @example
 * const Coder = runnerAgent(new ClaudeCodeRunner(), { type: 'coder', start: { cwd: repo, timeout: 1_800_000 } });
 * await runtime.register(Coder, { instances: 3 });
 * const group = new TaskGroup('fixes', { runtime, agent: 'coder', maxConcurrent: 3 }).addTask('lint', { prompt: 'fix lint' });
 */
export function runnerAgent<P = SubTask>(runner: Runner, options: RunnerAgentOptions<P> = {}): AgentDef {
  const message = (options.message ?? defineMessage('task.assign', SubTaskSchema)) as MessageDef<
    string,
    z.ZodType<P>
  >;
  const toTask = options.toTask ?? (defaultTask as unknown as (payload: P) => RunnerTask);
  const toResult = options.toResult ?? ((r: RunnerResult) => r.result ?? r);
  const start = options.start ?? {};
  const handle = async (payload: P, ctx: HandlerContext): Promise<unknown> => {
    const session = await runner.start(toTask(payload), { ...start, signal: ctx.signal });
    const forwarding = session.events$.subscribe((event) => ctx.emit(event));
    let result: RunnerResult;
    try {
      result = await session.wait();
    } finally {
      forwarding.unsubscribe();
    }
    return outcome(result, ctx, toResult, runner.kind, session.id);
  };
  return defineAgent({
    type: options.type ?? 'runner',
    supervision: { hangGraceMs: options.hangGraceMs ?? 300_000 },
    handles: { [message.type]: on(message, handle) },
  });
}

function outcome(
  result: RunnerResult,
  ctx: HandlerContext,
  toResult: (r: RunnerResult) => unknown,
  kind: string,
  id: string,
): unknown {
  if (result.status === 'completed') return toResult(result);
  const message = result.error?.message ?? `${kind} session ${id} ${result.status}`;
  if (result.status === 'cancelled') {
    throw ctx.signal.aborted ? asCancellation(ctx.signal.reason) : new CancelledError(message);
  }
  if (result.status === 'timed_out') throw new TimeoutError(message, { data: { session: id } });
  const data: Record<string, unknown> = { runner: kind, session: id, exitCode: result.exitCode };
  if (result.error) data.code = result.error.code;
  if (result.sessionId !== undefined) data.sessionId = result.sessionId;
  throw new RunnerFailedError(`${kind} session ${id} failed: ${message}`, { data });
}
