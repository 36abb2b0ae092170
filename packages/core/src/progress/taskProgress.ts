/** Lifecycle status of a task as the progress reducer sees it. */
export type TaskStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'paused'
  | 'retrying'
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'cancelled';

/** One tool call seen in a task. */
export interface ToolCallRecord {
  tool: string;
  callId?: string;
  status: 'started' | 'succeeded' | 'failed';
  taskId: string;
  ts: number;
}

/** One log line seen in a task. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  taskId: string;
  ts: number;
}

/** One artifact produced by a task. */
export interface ArtifactRecord {
  name: string;
  uri?: string;
  mimeType?: string;
  size?: number;
  taskId: string;
  ts: number;
}

/** Progress of one sub-task (a node of the task tree). */
export interface SubTaskProgress {
  taskId: string;
  parentId?: string;
  name: string;
  agent?: string;
  status: TaskStatus;
  /** 0–100. */
  progress: number;
  step?: string;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  error?: { code: string; message: string };
  subtasks: SubTaskProgress[];
}

/** The snapshot `trackProgress` reduces a progress stream to. */
export interface TaskProgress {
  taskId: string;
  name: string;
  status: TaskStatus;
  /** 0–100, over all sub-tasks. */
  overallProgress: number;
  subtasks: SubTaskProgress[];
  executionDetails: {
    currentAgent?: string;
    currentStep?: string;
    /** ms since the run started (to the last event, or to the finish). */
    elapsedTime: number;
    /** ms, estimated from the rate so far; undefined until something finished. */
    estimatedRemaining?: number;
    toolCalls: ToolCallRecord[];
    tokensUsed: { input: number; output: number; total: number };
  };
  logs: LogRecord[];
  artifacts: ArtifactRecord[];
  /**
   * Bookkeeping of `reduceProgress` (dedup window, weights, ordering stamps, early children).
   * Defined as a NON-enumerable property so it stays out of `JSON.stringify` (dashboard and
   * WebSocket payloads), spreads and equality checks; a snapshot without it (hand-built or
   * parsed from JSON) still reduces, but starts over with weights 1, no ordering stamps or times
   * and an empty dedup window.
   */
  _internal?: ProgressInternals;
}

/** An ordering stamp `[ts, seq]`: events order by time, then by sequence number. */
export type ProgressStamp = [ts: number, seq: number];

/** What the reducer remembers about one task beyond its card. */
export interface TaskBookkeeping {
  /** The task it is nested under; absent while it sits at the top level of `subtasks`. */
  parent?: string;
  /** Weight in `overallProgress` (from `task.created`, default 1). */
  weight: number;
  /** Stamps of the events that last set status / percent, so older events cannot undo them. */
  statusAt?: ProgressStamp;
  progressAt?: ProgressStamp;
  /** Latest `task.started`, and latest `task.started`/`task.progress` (picks the current agent). */
  startAt?: ProgressStamp;
  activityAt?: ProgressStamp;
  /** A `task.retrying` counted the next attempt; its `task.started` must not count it again. */
  attemptPending?: boolean;
}

/** Per-task dedup window: the newest event keys by stamp, and the highest stamp evicted. */
export interface SeenWindow {
  /** `[ts, seq, "<runId> <kind>"]`, ascending by stamp, bounded in size. */
  recent: Array<[number, number, string]>;
  /** An event at or below this stamp that is not in `recent` counts as already seen. */
  floor?: ProgressStamp;
}

/**
 * A map by task id split into a fixed array of hash buckets, so an immutable update copies the
 * bucket array and one small bucket rather than an object with one key per task.
 */
export type TaskIdMap<T> = Array<Record<string, T>>;

/** The reducer's internal state, kept on {@link TaskProgress._internal}. */
export interface ProgressInternals {
  tasks: TaskIdMap<TaskBookkeeping>;
  /** Keyed by event `taskId` (run events under the run's id). */
  seen: TaskIdMap<SeenWindow>;
  /** Parent id → ids of children that arrived before it (kept at the top level meanwhile). */
  waiting: Record<string, string[]>;
  totals: ProgressTotals;
  firstTs?: number;
  lastTs?: number;
  runStarted?: boolean;
  finished?: { status: TaskStatus; ts: number };
}

/** Aggregates over the task tree, updated per changed card so no event walks the whole tree. */
export interface ProgressTotals {
  /** Number of tasks in each status. */
  counts: Record<TaskStatus, number>;
  /** Over leaf tasks: how many, how many finished, sum of weights, sum of weight × done-ness. */
  leaves: number;
  leavesDone: number;
  weights: number;
  weighted: number;
  /** Ids of the running tasks: the candidates for the current agent and step. */
  running: string[];
}
