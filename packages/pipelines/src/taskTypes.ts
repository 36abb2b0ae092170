import type { TaskAssignment } from './messages.js';
import type { BackoffOptions } from './retry.js';
import type { RuntimeLike, StepLike } from './scope.js';

/** A task's place in its life (the design note's PENDING → RUNNING → COMPLETED / FAILED / TIMEOUT / CANCELLED). */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'timed_out' | 'cancelled';

/** What {@link TaskGroup.addTask} takes: an agent with a prompt, or a plain step. */
export interface TaskSpec {
  /** A registered agent type that handles `task.assign` (default: the group's `agent`). */
  agent?: string;
  /**
   * A particular instance of that agent. Without one, each attempt runs on an instance of the
   * type of its own (a keyed instance taken from a pool and reused), so tasks never wait in each
   * other's mailbox; tasks given the same key share that one instance and run there one at a time.
   */
  key?: string;
  /** Model passed to the agent (default: the group's `model`). */
  model?: string;
  /** Instruction passed to the agent. */
  prompt?: string;
  /** Further input passed to the agent (or the step). */
  input?: unknown;
  /**
   * Ms each attempt may take (default: the group's `taskTimeout`), counted from when the attempt
   * starts: not while the task waits for a slot under `maxConcurrent`, nor during a retry's backoff.
   */
  timeout?: number;
  /** Extra attempts after the first, for retryable errors only (default: the group's `retries`, else 0). */
  retries?: number;
  /** Backoff between attempts (default: the group's). */
  backoff?: BackoffOptions;
  /** Run this instead of asking an agent; it receives the task's {@link TaskAssignment}. */
  step?: StepLike<TaskAssignment, unknown>;
}

/** One task as {@link TaskGroup.getResults} reports it. */
export interface TaskRecord<R = unknown> {
  /** The task's label (unique in its group). */
  label: string;
  /** The task id its progress events carry. */
  taskId: string;
  /** The agent it was given to (`type` or `type/key`). */
  agent?: string;
  /** The model passed to the agent. */
  model?: string;
  /** Where it is in its life. */
  status: TaskStatus;
  /** The agent's reply (or the step's output), once completed. */
  result?: R;
  /** Why it failed, timed out or was cancelled (`.code` is stable). */
  error?: Error;
  /** Attempts started so far. */
  attempts: number;
  /** When it was added, ms since the epoch. */
  createdAt: number;
  /** When its first attempt started. */
  startedAt?: number;
  /** When it reached its final status. */
  finishedAt?: number;
}

/** Options of a {@link TaskGroup}. */
export interface TaskGroupOptions {
  /** The runtime whose agents take the tasks (needed for agent tasks); progress goes there too. */
  runtime?: RuntimeLike;
  /** Tasks running at once: an integer ≥ 1 or Infinity (default: all); else a `ValidationError`. */
  maxConcurrent?: number;
  /** Ms for the whole group from `spawnAll`; unfinished tasks end `timed_out`. */
  timeout?: number;
  /** Agent type for tasks that name none. */
  agent?: string;
  /** Model for tasks that name none. */
  model?: string;
  /** Ms each attempt of a task may take, for tasks that set no `timeout`. */
  taskTimeout?: number;
  /** Retries for tasks that set none (default 0). */
  retries?: number;
  /** Backoff between attempts. */
  backoff?: BackoffOptions;
  /** Aborting cancels the group. */
  signal?: AbortSignal;
  /** What the group is for, shown in progress beside its name. */
  description?: string;
  /** The run id of the group's progress events (default: a new id). */
  runId?: string;
  /** Progress events kept for late subscribers. */
  replay?: number;
}

/** What {@link TaskGroup.getResults} returns. */
export interface TaskGroupResults {
  /** The group's name. */
  name: string;
  /** Tasks in the group. */
  total: number;
  /** Tasks that ended in each final status. */
  completed: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  /** Not finished yet (pending or running). */
  pending: number;
  /** Running now. */
  running: number;
  /** Every task, in the order they were added. */
  tasks: TaskRecord[];
}

/** Options of {@link TaskGroup.waitForCompletion}. */
export interface WaitOptions {
  /** Ms to wait; then every unfinished task ends `timed_out` (and is aborted). */
  timeout?: number;
  /** Aborting stops waiting (the group goes on). */
  signal?: AbortSignal;
}
