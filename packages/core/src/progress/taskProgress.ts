import type { RunPhase } from './events.js';

/**
 * Lifecycle status of a task as the progress reducer sees it; `suspended`: it waits for an
 * answer to its question (`task.suspended`) while its siblings go on.
 */
export type TaskStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'paused'
  | 'retrying'
  | 'suspended'
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'cancelled';

/** One tool call seen in a task (`ts`: ms since the epoch). */
export interface ToolCallRecord {
  tool: string;
  callId?: string;
  status: 'started' | 'succeeded' | 'failed';
  taskId: string;
  ts: number;
}

/** One log line seen in a task (`ts`: ms since the epoch). */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  taskId: string;
  ts: number;
}

/** One artifact produced by a task (`size` in bytes, `ts` in ms since the epoch). */
export interface ArtifactRecord {
  name: string;
  uri?: string;
  mimeType?: string;
  size?: number;
  taskId: string;
  ts: number;
}

/** A question a suspended task waits on (see the `task.suspended` event). */
export interface PendingQuestion {
  text: string;
  /** JSON Schema of the answer it accepts. */
  schema?: unknown;
  key?: string;
}

/**
 * Status of a whole run: a task status, or the phase an orchestrated run is in (`planning`,
 * `executing`, from `run.status`) while it has not ended.
 */
export type RunProgressStatus = TaskStatus | RunPhase;

/**
 * Progress of one sub-task (a node of the task tree). Times are ms since the epoch; `startedAt`
 * and `finishedAt` are the design note's `startTime` and `endTime`.
 */
export interface SubTaskProgress {
  taskId: string;
  parentId?: string;
  name: string;
  /** What the task is for (from `task.created`). */
  description?: string;
  /** Task ids of the tasks it waits for (from `task.created`), absent without any. */
  dependsOn?: string[];
  agent?: string;
  status: TaskStatus;
  /**
   * 0–100: 100 once completed; otherwise the larger of what the task reported (`task.progress`)
   * and its weighted share of finished sub-tasks, and below 100 until it completes. A task that
   * failed, timed out or was cancelled keeps the progress it had made.
   */
  progress: number;
  step?: string;
  /** Attempts started (a retry counts once its attempt starts). */
  attempts: number;
  /** When its first attempt started, ms since the epoch (the design note's `startTime`). */
  startedAt?: number;
  /** When it reached its final status, ms since the epoch (the design note's `endTime`). */
  finishedAt?: number;
  error?: { code: string; message: string };
  /** While `suspended`: the question it asks, the JSON Schema of the answer, and the question's key. */
  question?: PendingQuestion;
  /** Tokens its model calls used, its sub-tasks' included (absent while none). */
  tokens?: { input: number; output: number };
  /** Its result once completed: a bounded preview (see `resultPreview`), when the event carried one. */
  result?: unknown;
  subtasks: SubTaskProgress[];
}

/**
 * The snapshot `trackProgress` reduces a progress stream to. Times are ms since the epoch;
 * durations are ms. `startedAt`/`finishedAt` are the design note's `startTime`/`endTime`.
 */
export interface TaskProgress {
  taskId: string;
  name: string;
  /** What the run is for (from `run.started`, or the tracker's options). */
  description?: string;
  /**
   * `pending` → (`planning` → `executing` for an orchestrated run) → `completed` | `failed` |
   * `timed_out` | `cancelled`; `running`, `paused` or `suspended` (nothing runs, a task waits
   * for an answer) in between.
   */
  status: RunProgressStatus;
  /**
   * 0–100: each task's progress weighted among its siblings, up the tree (see
   * {@link SubTaskProgress.progress}); 100 once the run finished `completed`. It never decreases
   * during a successful run whose tasks announce their sub-tasks (`task.created`, or
   * `task.progress.expectedSubtasks`) before starting them, as every pipelines combinator does.
   */
  overallProgress: number;
  /** When the run started (its first event), ms since the epoch (the design note's `startTime`). */
  startedAt?: number;
  /** When the run finished (`run.finished`), ms since the epoch (the design note's `endTime`). */
  finishedAt?: number;
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
}
