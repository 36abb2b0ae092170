import type { RunRecord } from '@troupe/core';
import { CancelledError, type TaskProgress, TimeoutError } from '@troupe/core';

/** How a run ended, as its record says it. */
export type Outcome = Pick<RunRecord, 'status'> & { error?: { code: string; message: string } };

/**
 * The outcome of a run whose result resolved to `value`: an `orchestrate` report with status
 * `partial` (a budget ran out) or `failed` ends `failed`; anything else `completed`.
 */
export function outcomeOfValue(value: unknown): Outcome {
  const report = value as { status?: unknown; stopReason?: unknown } | null;
  if (typeof report !== 'object' || report === null) return { status: 'completed' };
  const why = typeof report.stopReason === 'string' ? report.stopReason : undefined;
  if (report.status === 'partial') {
    return {
      status: 'failed',
      error: { code: 'BUDGET_EXHAUSTED', message: `stopped early: ${why ?? 'a budget ran out'}` },
    };
  }
  if (report.status === 'failed') {
    return { status: 'failed', error: { code: 'FAILED', message: `failed${why ? `: ${why}` : ''}` } };
  }
  return { status: 'completed' };
}

/** The outcome of a run whose result rejected with `err`. */
export function outcomeOfError(err: unknown): Outcome {
  if (err instanceof CancelledError)
    return { status: 'cancelled', error: { code: 'CANCELLED', message: (err as Error).message } };
  if (err instanceof TimeoutError)
    return { status: 'failed', error: { code: err.code, message: err.message } };
  const e = err instanceof Error ? err : new Error(String(err));
  const raw = (e as Error & { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : 'FAILED';
  return { status: 'failed', error: { code, message: e.message } };
}

/** A live run's status from its flags and its latest snapshot. */
export function liveStatus(paused: boolean, snapshot: TaskProgress): RunRecord['status'] {
  if (paused) return 'paused';
  if (snapshot.status === 'suspended') return 'suspended';
  return 'running';
}
