import { CancelledError, TimeoutError } from '../errors/errors.js';
import { errorToWire, toError, type WireError } from '../errors/wire.js';
import { jsonPreview } from './preview.js';

/**
 * How a task ends, defined once for the runtime, the pipelines and the reducer: the terminal
 * statuses, the event that reports an outcome, and the bounded previews of results and errors.
 */

/** The statuses a task ends in. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'timed_out', 'cancelled'] as const;

/** A status a task ends in. */
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** A status a task ends in without completing. */
export type FailureStatus = Exclude<TerminalStatus, 'completed'>;

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

/** Whether `status` is one a task ends in. */
export function isTerminalStatus(status: string): status is TerminalStatus {
  return TERMINAL.has(status);
}

/**
 * The one size cap of every preview on a progress event (characters): a result or an error
 * message longer than this is cut, and error `data` whose JSON is longer is left out.
 */
export const PREVIEW_MAX_CHARS = 256;

/**
 * A bounded preview of a task's result, small enough to ride on every `task.completed`: numbers,
 * booleans and null as they are; strings up to {@link PREVIEW_MAX_CHARS}, longer ones cut with `…`;
 * objects and arrays as a JSON copy when their JSON fits the cap, else their JSON cut to the cap
 * (a string). The cost is bounded by the cap, not by the value's size. `undefined`, functions and
 * symbols give `undefined`.
 */
export function resultPreview(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return value;
    case 'string':
      return cut(value);
    case 'bigint':
      return String(value);
    case 'object': {
      if (value === null) return null;
      const json = jsonPreview(value, PREVIEW_MAX_CHARS);
      return json.complete ? JSON.parse(json.text) : json.text;
    }
    default:
      return undefined;
  }
}

/**
 * An error as a progress event carries it: its wire form (code, name, retryable, cause chain)
 * with the message cut to {@link PREVIEW_MAX_CHARS}, and `data` kept only when its JSON fits.
 */
export function errorPreview(error: unknown): WireError {
  return bound(errorToWire(error));
}

function bound(wire: WireError): WireError {
  const out: WireError = { code: wire.code, name: wire.name, message: cut(wire.message) };
  if (wire.data !== undefined && jsonPreview(wire.data, PREVIEW_MAX_CHARS).complete) out.data = wire.data;
  if (wire.retryable !== undefined) out.retryable = wire.retryable;
  if (wire.cause !== undefined) out.cause = bound(wire.cause);
  return out;
}

/** How an error ends a task: `timed_out` for a `TimeoutError`, `cancelled` for a `CancelledError`, else `failed`. */
export function statusOfError(error: unknown): FailureStatus {
  if (error instanceof TimeoutError) return 'timed_out';
  if (error instanceof CancelledError) return 'cancelled';
  return 'failed';
}

/** The event that reports a task's outcome (without the fields the emitter fills in: run, task, time). */
export type OutcomeEvent =
  | { kind: 'task.completed'; result?: unknown }
  | { kind: 'task.failed'; error: WireError }
  | { kind: 'task.timed_out'; timeoutMs?: number }
  | { kind: 'task.cancelled'; reason?: string };

/** The outcome event of a task that completed with `value` (its result as a {@link resultPreview}). */
export function completedEvent(value: unknown): OutcomeEvent {
  const result = resultPreview(value);
  return result === undefined ? { kind: 'task.completed' } : { kind: 'task.completed', result };
}

/**
 * The outcome event of a task that ended with `error`: `task.timed_out` (with the timeout in ms
 * when the error's `data.timeout` says it), `task.cancelled` (with the reason), or `task.failed`
 * (with an {@link errorPreview}).
 */
export function failureEvent(error: unknown): OutcomeEvent {
  const err = toError(error);
  if (err instanceof TimeoutError) {
    const timeout = err.data?.timeout;
    return typeof timeout === 'number'
      ? { kind: 'task.timed_out', timeoutMs: timeout }
      : { kind: 'task.timed_out' };
  }
  if (err instanceof CancelledError) return { kind: 'task.cancelled', reason: cut(err.message) };
  return { kind: 'task.failed', error: errorPreview(err) };
}

/** The outcome event for either ending: `failureEvent(error)` when `error` is given, else `completedEvent(value)`. */
export function outcomeEvent(outcome: { value: unknown } | { error: unknown }): OutcomeEvent {
  return 'error' in outcome ? failureEvent(outcome.error) : completedEvent(outcome.value);
}

function cut(text: string): string {
  return text.length <= PREVIEW_MAX_CHARS ? text : `${text.slice(0, PREVIEW_MAX_CHARS - 1)}…`;
}
