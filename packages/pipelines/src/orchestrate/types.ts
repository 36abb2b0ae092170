import type { Plan, PlanDraft, Route, SubTask } from '@troupe/agents';
import type { AgentTarget, Message, ProgressEvent, Runtime, Store } from '@troupe/core';
import type { Observable } from 'rxjs';
import type { RunHandle, StepLike } from '../scope.js';

/** What an executor gets for one sub-task. */
export interface SubTaskInput {
  /** The run's goal. */
  goal: string;
  /** The sub-task, as planned. */
  subtask: SubTask;
  /** Where and how the Strategy said it runs. */
  route: Route;
  /** Results of the sub-tasks it depends on, by sub-task id. */
  inputs: Record<string, unknown>;
  /** The same inputs as text for a model: one `id: result` line each (empty without dependencies). */
  context: string;
}

/**
 * An executor the Planner may assign work to. By default it is an agent of type `name` asked with
 * `react.run` (a `reactAgent`): its `completed` outcome's `output` (or `answer`) is the result and
 * an `incomplete` one fails the sub-task. `message`/`result` adapt any other agent (a
 * `runnerAgent` takes `task.assign`); `step` runs a function (or any step) in this process instead.
 */
export interface ExecutorSpec {
  /** The agent type (and the name the Planner and Strategy use). */
  name: string;
  /** What it is good at, for the Planner. */
  description?: string | undefined;
  /** Runs sub-tasks in this process instead of asking an agent (its `ctx.suspend` works as in any step). */
  step?: StepLike<SubTaskInput, unknown> | undefined;
  /** The message asked of the agent (default: `react.run` with the sub-task's description, expected output and context). */
  message?: ((input: SubTaskInput) => Message) | undefined;
  /** The agent's reply → the sub-task's result; throwing fails the sub-task (default: see above). */
  result?: ((reply: unknown, input: SubTaskInput) => unknown) | undefined;
}

/** Limits of one run; the first one reached ends it with a partial report. */
export interface Budget {
  /** Tokens (input + output) over every model call of the run seen by this process. */
  tokens?: number;
  /** USD over every model call with a known price. */
  costUsd?: number;
  /** Wall time of this session, seconds. */
  seconds?: number;
}

/** What `orchestrate` needs from a runtime: asks, progress, and registering its answer service. */
export type OrchestrateRuntime = Pick<Runtime, 'ref' | 'emit' | 'progress$' | 'register' | 'wantsProgress'>;

/** Options of `orchestrate`. */
export interface OrchestrateOptions {
  /** Where the Planner, the Strategy and the executors are (in process, or `createRuntime({ transport: nats })`). */
  runtime: OrchestrateRuntime;
  /** Who can do the work. */
  executors: ReadonlyArray<string | ExecutorSpec>;
  /** The Planner agent (default `{ type: 'planner' }`, a `plannerAgent`). */
  planner?: AgentTarget;
  /** The Strategy agent (default `{ type: 'strategy' }`, a `strategyAgent`). */
  strategy?: AgentTarget;
  /** A Tracker agent type (e.g. `{ type: 'tracker', kind: 'agent' }` or `{ type: 'tracker' }`): it gets the plan and every event, at `{ type, key: runId }`. */
  tracker?: AgentTarget;
  /** The run journal: every event and finished sub-task is written here, so the run can be resumed and replayed. */
  store?: Store;
  /** Sub-tasks running at once: an integer ≥ 1 or Infinity (default 4). */
  maxConcurrency?: number;
  /** Limits; when one is reached the run ends with a partial report. */
  budget?: Budget;
  /** Re-plans of failed branches allowed (default 2); then the run ends `failed` with what is left undone. */
  maxReplans?: number;
  /** Aborting cancels the run (`result` rejects with `CancelledError`). */
  signal?: AbortSignal;
  /** The run id (default: a new id). */
  runId?: string;
  /** Name of the run in progress (default: the goal). */
  name?: string;
  /** Background for the Planner (constraints, what exists). */
  context?: string;
  /**
   * The plan, when it is known in code: the Planner is not asked (only to re-plan failed
   * branches). Checked like a drafted plan (`PlanError` with the issues, thrown by `orchestrate`).
   */
  plan?: PlanDraft | Plan;
  /** Ms each ask of the Planner and the Strategy may take (default 120 000). */
  planningTimeout?: number;
  /**
   * Progress events of this run from other processes (e.g. `remoteProgress$` of `@troupe/nats`
   * when the agents run on workers): they join `progress$`, the journal, the budget and the
   * report. Give it only when the agents do not run in this runtime (their events are here already).
   */
  events$?: Observable<ProgressEvent>;
}

/** Options of `resumeRun`: the run's journal and the same agents; the goal and plan come from the journal. */
export interface ResumeOptions extends Omit<OrchestrateOptions, 'runId' | 'store' | 'context' | 'plan'> {
  /** The run to continue. */
  runId: string;
  /** The journal it was written to. */
  store: Store;
}

/** How a sub-task ended (or where it stands when the report was made). */
export type SubTaskStatus =
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'skipped'
  | 'running'
  | 'suspended'
  | 'pending';

/** One sub-task in the report. */
export interface SubTaskReport {
  /** The sub-task's id in the plan. */
  id: string;
  /** Its card's task id in progress (the id, or `id#n` when re-run in a later session or round). */
  taskId: string;
  name: string;
  /** Who did it: the executor (agent type) the Strategy chose. */
  executor: string;
  /** The model the Strategy chose, if any. */
  model?: string;
  status: SubTaskStatus;
  /** Its result, when completed. */
  result?: unknown;
  error?: { code: string; message: string };
  /** Attempts started over every session. */
  attempts: number;
  /** Tokens of its model calls. */
  tokens: { input: number; output: number };
  /** USD of its model calls with a known price. */
  costUsd: number;
  /** Ms from its first start to its end (or to now). */
  durationMs: number;
  /** Whether it finished in an earlier session of the run (read from the journal, not run again). */
  fromJournal?: boolean;
}

/** Why a run stopped before its plan was done. */
export type StopReason = 'budget.tokens' | 'budget.costUsd' | 'budget.seconds' | 'replans_exhausted';

/** What `orchestrate` answers: per sub-task outcome, who did it, tokens, cost, duration, failures and what is left. */
export interface OrchestrateReport {
  runId: string;
  goal: string;
  /** `completed`: every sub-task of the final plan completed; `partial`: a budget ran out; `failed`: failures beyond re-planning. */
  status: 'completed' | 'partial' | 'failed';
  /** Why it stopped early (`partial` and `failed`). */
  stopReason?: StopReason;
  /** The final plan (after re-plans). */
  plan: Plan;
  /** Re-plans made. */
  replans: number;
  /** The final plan's sub-tasks, then sub-tasks re-planned away (failed or dropped). */
  subtasks: SubTaskReport[];
  /** Sub-tasks that failed, timed out or were cancelled, re-planned ones included. */
  failures: Array<{ id: string; status: SubTaskStatus; error?: { code: string; message: string } }>;
  /** Ids of the final plan's sub-tasks that did not complete. */
  undone: string[];
  /** Tokens over every model call of the run seen (planning included). */
  tokens: { input: number; output: number; total: number };
  /** USD over every model call with a known price. */
  costUsd: number;
  /** Ms from the run's first start to its end. */
  durationMs: number;
  /** Sessions the run took (1 unless it was resumed). */
  sessions: number;
}

/** A running orchestration: a {@link RunHandle} whose result is the report, with the plan and the report so far. */
export interface OrchestrateHandle extends RunHandle<OrchestrateReport> {
  /** The goal. */
  readonly goal: string;
  /** The plan, once made (the latest after a re-plan). */
  readonly plan: Plan | undefined;
  /** The report as of now (what is done, running and left). */
  report(): OrchestrateReport;
}
