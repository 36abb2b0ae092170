import { type AgentAddress, AgentAddressSchema, isValidKey, isValidName, type WireError } from '@troupe/core';
import { z } from 'zod';

const TASK_ID = /^[A-Za-z0-9_:=@+.-]{1,128}$/;

/** Whether `id` can be a task id: 1–128 of `[A-Za-z0-9_:=@+.-]` (it travels as a header). */
export function isValidTaskId(id: string): boolean {
  return TASK_ID.test(id);
}

/** Schema of a task as it sits on the work queue (validated by the worker, never trusted). */
export const DurableTaskSchema = z.object({
  v: z.literal(1),
  taskId: z.string().regex(TASK_ID),
  to: AgentAddressSchema,
  message: z.object({ type: z.string().min(1).max(256), payload: z.unknown() }),
  runId: z.string().max(128).optional(),
  timeout: z.number().int().positive().optional(),
  startTimeout: z.number().int().positive().optional(),
  dispatchedAt: z.number(),
});

/**
 * `json` as a {@link DurableTask} when it plainly is one, else `undefined`: then
 * {@link DurableTaskSchema} decides, and names what is wrong. Every task this accepts, the schema
 * accepts too and parses to the same value (unknown fields left out), so it is only a faster way
 * to the same answer; anything unusual (an absent payload, an optional field present as `undefined`, an unsafe integer) goes to the schema.
 */
export function plainTask(json: unknown): DurableTask | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const t = json as Record<string, unknown>;
  const to = t.to as Record<string, unknown> | null | undefined;
  const message = t.message as Record<string, unknown> | null | undefined;
  if (
    t.v !== 1 ||
    typeof t.taskId !== 'string' ||
    !TASK_ID.test(t.taskId) ||
    typeof to !== 'object' ||
    to === null ||
    typeof to.type !== 'string' ||
    !isValidName(to.type) ||
    ('key' in to && (typeof to.key !== 'string' || !isValidKey(to.key))) ||
    typeof message !== 'object' ||
    message === null ||
    typeof message.type !== 'string' ||
    message.type.length < 1 ||
    message.type.length > 256 ||
    !('payload' in message) ||
    ('runId' in t && (typeof t.runId !== 'string' || t.runId.length > 128)) ||
    ('timeout' in t && !positiveInt(t.timeout)) ||
    ('startTimeout' in t && !positiveInt(t.startTimeout)) ||
    typeof t.dispatchedAt !== 'number' ||
    !Number.isFinite(t.dispatchedAt)
  ) {
    return undefined;
  }
  const task: DurableTask = {
    v: 1,
    taskId: t.taskId,
    to: 'key' in to ? { type: to.type, key: to.key as string } : { type: to.type },
    message: { type: message.type, payload: message.payload },
    dispatchedAt: t.dispatchedAt,
  };
  if ('runId' in t) task.runId = t.runId as string;
  if ('timeout' in t) task.timeout = t.timeout as number;
  if ('startTimeout' in t) task.startTimeout = t.startTimeout as number;
  return task;
}

function positiveInt(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** A task on the work queue. */
export interface DurableTask {
  v: 1;
  taskId: string;
  to: AgentAddress;
  message: { type: string; payload: unknown };
  runId?: string;
  /** How long one execution may take, ms (default: the worker's `taskTimeout`). */
  timeout?: number;
  /**
   * How long it may wait for a worker, ms from being queued. Its dispatcher records `TimeoutError`
   * when no worker took it by then; a worker checks for a recorded result before running it.
   */
  startTimeout?: number;
  dispatchedAt: number;
}

/** What every recorded result says besides its outcome. */
interface ResultCommon {
  taskId: string;
  runId?: string;
  /** Which delivery of the task produced this result (1 = the first). */
  deliveries: number;
  /** The id of the worker that recorded it. */
  worker: string;
  /** When it was recorded, ms since the epoch. */
  finishedAt: number;
}

/** A task's recorded outcome, as stored in the results bucket under its task id. */
export type TaskResult<T = unknown> =
  | (ResultCommon & { ok: true; value: T })
  | (ResultCommon & { ok: false; error: WireError; deadLettered: boolean });

/** What the dead-letter subject receives for a poison task. */
export interface DeadLetter {
  taskId: string;
  /** Why the task was given up, as a wire error. */
  reason: WireError;
  /** How many times it was delivered. */
  deliveries: number;
  /**
   * The task itself, when it could be read. When the whole letter would exceed the server's
   * `max_payload`, its `message.payload` is `null` and {@link DeadLetter.taskOmitted} says so.
   */
  task?: DurableTask;
  /** Set when the task's payload was left out to fit the limit: its size as JSON, bytes. */
  taskOmitted?: { payloadBytes: number };
  worker: string;
  at: number;
}
