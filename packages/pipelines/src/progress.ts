import { CancelledError, errorToWire, type ProgressInput, TimeoutError } from '@troupe/core';
import type { RunStatus } from './RunHandle.js';

/** How an error ends a task: timed out, cancelled or failed. */
export function statusOfError(error: Error): Extract<RunStatus, 'failed' | 'timed_out' | 'cancelled'> {
  if (error instanceof TimeoutError) return 'timed_out';
  if (error instanceof CancelledError) return 'cancelled';
  return 'failed';
}

/** The terminal progress event for a task that ended with `error`. */
export function terminalEvent(error: Error): ProgressInput {
  if (error instanceof TimeoutError) {
    const timeout = error.data?.timeout;
    return typeof timeout === 'number'
      ? { kind: 'task.timed_out', timeoutMs: timeout }
      : { kind: 'task.timed_out' };
  }
  if (error instanceof CancelledError) return { kind: 'task.cancelled', reason: error.message };
  return { kind: 'task.failed', error: errorToWire(error) };
}

/** `task.completed`, carrying the result only when it is small plain data. */
export function completedEvent(value: unknown): ProgressInput {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'task.completed', result: value };
  }
  if (typeof value === 'string' && value.length <= 256) return { kind: 'task.completed', result: value };
  return { kind: 'task.completed' };
}
