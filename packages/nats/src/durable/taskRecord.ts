import { type AgentAddress, AgentAddressSchema, type WireError } from '@troupe/core';
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
