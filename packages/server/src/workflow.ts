import type { ChatModel } from '@troupe/agents';
import type { Runtime, Store } from '@troupe/core';
import type { RunHandle, RunOptions } from '@troupe/pipelines';
import type { TaskOptions } from './schemas.js';
import type { SessionBoard } from './sessions.js';

/** What the server hands a workflow it starts. */
export interface ServerWorkflowContext {
  /** The run id (also the API's task id). */
  readonly runId: string;
  /** The run's name (`options.name`, else the goal or workflow name). */
  readonly name: string;
  /** A runtime of this run's own (in process), closed when the run ends. */
  readonly runtime: Runtime;
  /** The run's store (the journal `orchestrate` writes). */
  readonly store: Store;
  /** The model `options.model` names, else `createModel()`'s default (scripted without a key). */
  readonly model: ChatModel;
  /** The start request's options. */
  readonly options: TaskOptions;
  /** Aborted when the run is cancelled (`DELETE /api/v1/tasks/:id`). */
  readonly signal: AbortSignal;
  /** Where to attach the runner sessions of sub-tasks, so messages can steer them. */
  readonly sessions: SessionBoard;
  /** What to pass to pipelines' `run(step, input, options)`: the run id, name, runtime and signal. */
  readonly runOptions: RunOptions & { runId: string; name: string; runtime: Runtime; signal: AbortSignal };
}

/** A workflow the server can start by name: returns the run's handle (pipelines' `run(…)` or `orchestrate(…)`). */
export type ServerWorkflow = (
  input: unknown,
  ctx: ServerWorkflowContext,
) => RunHandle<unknown> | Promise<RunHandle<unknown>>;

/** How the server runs a goal (`POST /api/v1/tasks { goal }`). */
export type GoalWorkflow = (
  goal: string,
  ctx: ServerWorkflowContext,
) => RunHandle<unknown> | Promise<RunHandle<unknown>>;
