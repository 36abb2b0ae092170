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
  // No payload (a `z.void()` message): JSON leaves the key out, the agent gets `undefined`.
  message: z.object({ type: z.string().min(1).max(256), payload: z.unknown().optional() }),
  runId: z.string().max(128).optional(),
  timeout: z.number().int().positive().optional(),
  startTimeout: z.number().int().positive().optional(),
  dispatchedAt: z.number(),
  traceparent: z.string().max(256).optional(),
  tracestate: z.string().max(512).optional(),
});

/**
 * `json` as a {@link DurableTask} when it plainly is one, else `undefined`: then
 * {@link DurableTaskSchema} decides, and names what is wrong. Every task this accepts, the schema
 * accepts too and parses to the same value (unknown fields left out), so it is only a faster way
 * to the same answer; anything unusual (an optional field present as `undefined`, an unsafe integer) goes to the schema.
 */
export function plainTask(json: unknown): DurableTask | undefined {
  if (!isRecord(json)) return undefined;
  // Each field is read once: a getter cannot pass the check with one value and be copied with another.
  const { v, taskId, to, message, dispatchedAt } = json;
  if (v !== 1 || typeof taskId !== 'string' || !TASK_ID.test(taskId)) return undefined;
  if (!isRecord(to) || !isRecord(message)) return undefined;
  const type = to.type;
  if (typeof type !== 'string' || !isValidName(type)) return undefined;
  const hasKey = 'key' in to;
  const key = to.key;
  if (hasKey && (typeof key !== 'string' || !isValidKey(key))) return undefined;
  const messageType = message.type;
  if (typeof messageType !== 'string' || messageType.length < 1 || messageType.length > 256) return undefined;
  if (typeof dispatchedAt !== 'number' || !Number.isFinite(dispatchedAt)) return undefined;
  const runId = optionalString(json, 'runId', 128);
  const timeout = optionalPositiveInt(json, 'timeout');
  const startTimeout = optionalPositiveInt(json, 'startTimeout');
  const traceparent = optionalString(json, 'traceparent', 256);
  const tracestate = optionalString(json, 'tracestate', 512);
  if (runId === INVALID || timeout === INVALID || startTimeout === INVALID) return undefined;
  if (traceparent === INVALID || tracestate === INVALID) return undefined;
  // The schema's key order, so the JSON of either is the same too.
  const task: DurableTask = {
    v: 1,
    taskId,
    to: hasKey ? { type, key: key as string } : { type },
    message: 'payload' in message ? { type: messageType, payload: message.payload } : { type: messageType },
  } as DurableTask;
  if (runId !== ABSENT) task.runId = runId;
  if (timeout !== ABSENT) task.timeout = timeout;
  if (startTimeout !== ABSENT) task.startTimeout = startTimeout;
  task.dispatchedAt = dispatchedAt;
  if (traceparent !== ABSENT) task.traceparent = traceparent;
  if (tracestate !== ABSENT) task.tracestate = tracestate;
  return task;
}

const ABSENT = Symbol('absent');
const INVALID = Symbol('invalid');

/** An object zod reads as one (not an array, not null). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `t[name]` when it is a string of at most `max` characters; ABSENT when not there; else INVALID. */
function optionalString(
  t: Record<string, unknown>,
  name: string,
  max: number,
): string | typeof ABSENT | typeof INVALID {
  if (!(name in t)) return ABSENT;
  const value = t[name];
  return typeof value === 'string' && value.length <= max ? value : INVALID;
}

/** `t[name]` when it is a safe integer above 0; ABSENT when not there; else INVALID. */
function optionalPositiveInt(
  t: Record<string, unknown>,
  name: string,
): number | typeof ABSENT | typeof INVALID {
  if (!(name in t)) return ABSENT;
  const value = t[name];
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : INVALID;
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
  /** W3C trace context of the dispatch, so the worker's spans join its trace (when tracing is on). */
  traceparent?: string;
  /** W3C `tracestate`, with `traceparent`. */
  tracestate?: string;
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
