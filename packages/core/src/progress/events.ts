import { z } from 'zod';
import { TERMINAL_STATUSES } from './outcome.js';

/** The phases an orchestrated run goes through before it ends (see the `run.status` event). */
export const RUN_PHASES = ['planning', 'executing'] as const;

/** A phase of an orchestrated run. */
export type RunPhase = (typeof RUN_PHASES)[number];

const WireErrorSchema: z.ZodType<{
  code: string;
  name: string;
  message: string;
  data?: Record<string, unknown> | undefined;
  retryable?: boolean | undefined;
  cause?: unknown;
}> = z.object({
  code: z.string(),
  name: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  retryable: z.boolean().optional(),
  cause: z.unknown().optional(),
});

const base = {
  /** The run this event belongs to. */
  runId: z.string(),
  /** The task it is about (for run events, the run's root task id). */
  taskId: z.string(),
  /** The parent task, for trees. */
  parentId: z.string().optional(),
  /** The agent (type or type/key) doing the work. */
  agent: z.string().optional(),
  /** Time of the event, ms since the epoch. */
  ts: z.number(),
  /** Sequence number, increasing within a run for each emitting process. */
  seq: z.number().int().nonnegative(),
};

const terminalStatus = z.enum(TERMINAL_STATUSES);

/** Schema of every progress event: a discriminated union on `kind`. */
export const ProgressEventSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('run.started'),
    name: z.string().optional(),
    /** What the run is for, shown beside its name. */
    description: z.string().optional(),
    /** The phase it starts in, when an orchestrator drives it (see `run.status`). */
    status: z.enum(RUN_PHASES).optional(),
  }),
  z.object({ ...base, kind: z.literal('run.finished'), status: terminalStatus }),
  z.object({
    ...base,
    kind: z.literal('run.status'),
    /** The phase an orchestrated run entered: `planning` (plan and routes) or `executing` (the sub-tasks). */
    status: z.enum(RUN_PHASES),
  }),
  z.object({
    ...base,
    kind: z.literal('task.created'),
    name: z.string().optional(),
    /** What the task is for, shown on its card. */
    description: z.string().optional(),
    /** Its share of its parent's progress relative to its siblings (default 1). */
    weight: z.number().positive().optional(),
    /** Task ids of the tasks it waits for (a DAG's dependencies): drawn by timelines and plan graphs. */
    dependsOn: z.array(z.string()).optional(),
  }),
  z.object({ ...base, kind: z.literal('task.queued') }),
  z.object({
    ...base,
    kind: z.literal('task.started'),
    name: z.string().optional(),
    /** Which attempt starts (1 = the first); without it a start after `task.retrying` counts as the next. */
    attempt: z.number().int().positive().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.progress'),
    percent: z.number().min(0).max(100).optional(),
    step: z.string().optional(),
    /**
     * How many sub-tasks this task will run in all (at most), announced before it starts them:
     * its progress is then split that many ways from the start, so finishing one never reads as
     * more than its share (a loop announces its `maxIterations`).
     */
    expectedSubtasks: z.number().int().nonnegative().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.log'),
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    message: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.tool_call'),
    tool: z.string(),
    callId: z.string().optional(),
    status: z.enum(['started', 'succeeded', 'failed']).default('started'),
    args: z.unknown().optional(),
    /** What a succeeded call returned (a bounded, redacted preview). */
    result: z.unknown().optional(),
    /** Why a failed call failed (bounded, redacted). */
    error: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.tokens'),
    input: z.number().int().nonnegative().default(0),
    output: z.number().int().nonnegative().default(0),
    model: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.model_call'),
    /** The model asked, e.g. `gpt-4.1-mini`. */
    model: z.string(),
    /** Who served it: `openai`, `anthropic`, `openai-compatible`, `scripted`, … */
    provider: z.string().optional(),
    /** Wall time of the call, retries included, ms. */
    latencyMs: z.number().nonnegative(),
    /** Prompt tokens (cache reads included). */
    inputTokens: z.number().int().nonnegative().default(0),
    /** Completion tokens (reasoning included). */
    outputTokens: z.number().int().nonnegative().default(0),
    /** Prompt tokens read from the provider's cache. */
    cacheReadTokens: z.number().int().nonnegative().optional(),
    /** Cost in USD, when a price table covers the model. */
    costUsd: z.number().nonnegative().optional(),
    /** Why the model stopped: `end`, `tool_calls`, `max_tokens`, … */
    stopReason: z.string().optional(),
    /** The provider's request id (of the last attempt). */
    requestId: z.string().optional(),
    /** HTTP attempts made (1 when no retry was needed). */
    attempts: z.number().int().positive().optional(),
    /** Set when the call failed. */
    error: WireErrorSchema.optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.artifact'),
    name: z.string(),
    uri: z.string().optional(),
    mimeType: z.string().optional(),
    size: z.number().int().nonnegative().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.retrying'),
    /** The attempt that starts after the delay; it counts as started only with its `task.started`. */
    attempt: z.number().int().positive(),
    delayMs: z.number().nonnegative(),
    error: WireErrorSchema.optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.suspended'),
    /** What the task asks before it can go on. */
    question: z.string(),
    /** JSON Schema of the answer it accepts (from its zod schema). */
    schema: z.unknown().optional(),
    /** Which of the task's questions this is (stable across restarts of the run). */
    key: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('task.answered'),
    /** The answer (a bounded preview). */
    answer: z.unknown().optional(),
    key: z.string().optional(),
  }),
  z.object({ ...base, kind: z.literal('task.paused') }),
  z.object({ ...base, kind: z.literal('task.resumed') }),
  z.object({ ...base, kind: z.literal('task.completed'), result: z.unknown().optional() }),
  z.object({ ...base, kind: z.literal('task.failed'), error: WireErrorSchema }),
  z.object({ ...base, kind: z.literal('task.timed_out'), timeoutMs: z.number().optional() }),
  z.object({ ...base, kind: z.literal('task.cancelled'), reason: z.string().optional() }),
]);

/** One progress event (see {@link ProgressEventSchema}). */
export type ProgressEvent = z.output<typeof ProgressEventSchema>;
/** The `kind` of a progress event. */
export type ProgressKind = ProgressEvent['kind'];
/** The event of one kind. */
export type ProgressEventOf<K extends ProgressKind> = Extract<ProgressEvent, { kind: K }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/**
 * What a handler passes to `ctx.emit`: an event without the fields the runtime
 * fills in (`runId`, `taskId`, `ts`, `seq`; `agent` and `parentId` optional).
 */
export type ProgressInput = DistributiveOmit<ProgressEvent, 'runId' | 'taskId' | 'ts' | 'seq'> & {
  taskId?: string;
};

/** Whether a task status is terminal. */
export function isTerminalKind(kind: ProgressKind): boolean {
  return (
    kind === 'task.completed' ||
    kind === 'task.failed' ||
    kind === 'task.timed_out' ||
    kind === 'task.cancelled'
  );
}
