import {
  type AgentAddress,
  checkTimeout,
  newId,
  ValidationError,
  validationErrorFromZod,
} from '@troupe/core';
import { type DurableTask, DurableTaskSchema, isValidTaskId, plainTask } from './taskRecord.js';

/** What to dispatch: a message for an agent. */
export interface DispatchInput {
  /** The task id (default: a new UUIDv7). Re-dispatching an id within the stream's duplicate window is a no-op. */
  taskId?: string;
  /** The agent: `{ type }` for any instance, `{ type, key }` for one. */
  to: AgentAddress;
  /** The message the agent receives. */
  message: { type: string; payload: unknown };
  /** The run the task belongs to (recorded with its result). */
  runId?: string;
  /** How long one execution may take, ms (default: the worker's `taskTimeout`). */
  timeout?: number;
  /**
   * How long the task may wait for a worker to take it, ms from when JetStream stored it
   * (default: no bound). When no worker has taken it by then (e.g. no worker hosts its type),
   * `TimeoutError` is recorded as its result (waiters get it) and it leaves the queue unrun.
   * Timed on this dispatcher's clock while it stays open; see DURABLE.md.
   * `Infinity` means no bound.
   * @throws ValidationError from `dispatch()` when not a positive number.
   */
  startTimeout?: number;
  /**
   * W3C trace context to continue (as `ask`'s option): the dispatch span's parent when tracing is
   * on (else the active span is), carried as is to the worker when it is off. At most 256
   * characters; a malformed one starts a new trace rather than failing the task.
   */
  traceparent?: string;
  /** W3C `tracestate`, with `traceparent`; at most 512 characters. */
  tracestate?: string;
}

/**
 * The task `input` describes, as it will sit on the work queue: a validated copy.
 * @throws ValidationError naming the field for what a worker would refuse (and dead-letter): a bad
 *   task id, an invalid address or message type, a `runId` over 128 characters, a `timeout` or
 *   `startTimeout` that is not a positive number of ms (`Infinity`: no bound), trace context over
 *   its length.
 */
export function newTask(input: DispatchInput): DurableTask {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('dispatch needs a task: { to, message }', {
      issues: [{ path: '', message: 'not an object' }],
    });
  }
  const taskId = input.taskId ?? newId();
  if (!isValidTaskId(taskId)) {
    throw new ValidationError(`invalid task id '${taskId}': use 1-128 of [A-Za-z0-9_:=@+.-]`, {
      issues: [{ path: 'taskId', message: 'invalid task id' }],
    });
  }
  const task: DurableTask = {
    v: 1,
    taskId,
    to: input.to,
    message: input.message,
    dispatchedAt: Date.now(),
  };
  if (input.runId !== undefined) task.runId = input.runId;
  // Core's timeout rules (Infinity: no bound, like leaving it out); whole ms on the wire.
  if (input.timeout !== undefined) {
    const ms = checkTimeout(input.timeout, 'timeout');
    if (ms !== Number.POSITIVE_INFINITY) task.timeout = Math.ceil(ms);
  }
  if (input.startTimeout !== undefined) {
    const ms = checkTimeout(input.startTimeout, 'startTimeout');
    if (ms !== Number.POSITIVE_INFINITY) task.startTimeout = Math.ceil(ms);
  }
  if (input.traceparent !== undefined) task.traceparent = input.traceparent;
  if (input.traceparent !== undefined && input.tracestate !== undefined) task.tracestate = input.tracestate;
  // What a worker would refuse (and dead-letter) is refused here, before it is queued; and what is
  // queued is the validated copy (plain objects, own fields), not a getter or a toJSON's say.
  const plain = plainTask(task);
  if (plain !== undefined) return plain;
  const checked = DurableTaskSchema.safeParse(task);
  if (!checked.success) throw validationErrorFromZod(checked.error, '', 'durable task');
  return checked.data as DurableTask;
}
