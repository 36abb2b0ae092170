import type { ProgressEvent, RunRecord } from '@troupe/core';

/** A running run created at `createdAt` (ms). */
export function run(id: string, createdAt: number, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    goal: `goal of ${id}`,
    status: 'running',
    createdAt,
    updatedAt: createdAt,
    progress: 0,
    costUsd: 0,
    tokens: { input: 0, output: 0 },
    ...fields,
  };
}

/** A `task.log` event of a run whose message is `text` (default `e<n>`). */
export function event(runId: string, n: number, text = `e${n}`): ProgressEvent {
  return { kind: 'task.log', runId, taskId: runId, ts: n, seq: n, level: 'info', message: text };
}
