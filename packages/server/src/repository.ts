import type { ProgressEvent, TaskProgress } from '@troupe/core';

/** Where a run is, as the API lists it (`timed_out` runs are `failed` with error code `TIMEOUT`). */
export type RunStatus = 'pending' | 'running' | 'paused' | 'suspended' | 'completed' | 'failed' | 'cancelled';

/** Every {@link RunStatus}, in lifecycle order. */
export const RUN_STATUSES = [
  'pending',
  'running',
  'paused',
  'suspended',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly RunStatus[];

/** The statuses a run ends in. */
export const FINISHED_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** A run as the API lists it. Times are ms since the epoch; cost in USD; tokens counted by the models. */
export interface RunRecord {
  id: string;
  /** The goal text, or the workflow's name when started from a registered workflow. */
  goal: string;
  workflow?: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  /** 0..1 */
  progress: number;
  costUsd: number;
  tokens: { input: number; output: number };
  error?: { code: string; message: string };
}

/** One event of a run's log; `seq` starts at 1 and has no gaps within a run. */
export interface StoredEvent {
  seq: number;
  event: ProgressEvent;
}

/** One page of {@link RunRepository.listRuns}. */
export interface RunPage {
  runs: RunRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** One page of {@link RunRepository.events}. */
export interface EventPage {
  events: StoredEvent[];
  /** pass as `after` to get the next page */
  nextAfter?: number;
}

/**
 * Where the server keeps runs, their event logs and their latest snapshots. The default is
 * {@link FileRunRepository} (a directory); `@troupe/sql`'s `SqlStore` implements it on PostgreSQL
 * and MySQL/MariaDB. Every method rejects with the backend's error when storage fails.
 */
export interface RunRepository {
  /** Adds a run; throws `RunExistsError` (code `CONFLICT`) if the id exists. */
  createRun(run: RunRecord): Promise<void>;
  /** Changes a run's fields; throws `RunNotFoundError` (code `NOT_FOUND`) for an unknown id. */
  updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first (createdAt desc, id desc); `limit` default 50, max 500; `cursor` opaque. */
  listRuns(query: { status?: RunStatus[]; limit?: number; cursor?: string }): Promise<RunPage>;
  /** Appends in order, assigning seq = last + 1, ...; returns the last seq. Safe from several processes at once. */
  appendEvents(id: string, events: readonly ProgressEvent[]): Promise<number>;
  /** Events with seq > after (default 0), ascending, at most `limit` (default 500, max 5000). */
  events(id: string, query: { after?: number; limit?: number }): Promise<EventPage>;
  saveSnapshot(id: string, snapshot: TaskProgress): Promise<void>;
  getSnapshot(id: string): Promise<TaskProgress | undefined>;
  close(): Promise<void>;
}

/** Clamps a `listRuns` limit: default 50, 1..500. */
export function runLimit(limit: number | undefined): number {
  return Math.min(500, Math.max(1, Math.floor(limit ?? 50)));
}

/** Clamps an `events` limit: default 500, 1..5000. */
export function eventLimit(limit: number | undefined): number {
  return Math.min(5000, Math.max(1, Math.floor(limit ?? 500)));
}
