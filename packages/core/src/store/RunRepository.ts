import type { ProgressEvent } from '../progress/events.js';
import type { TaskProgress } from '../progress/taskProgress.js';

// The run repository contract: what `@troupe/server` keeps runs in and `@troupe/sql` implements.
// It lives here, beside `Store`, so neither package depends on the other.

/** A run's lifecycle status, as the API lists it (`timed_out` runs are `failed` with error code `TIMEOUT`). */
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
  /** The run id (at most 255 characters). */
  id: string;
  /** The goal text, or the workflow's name when started from a registered workflow. */
  goal: string;
  /** The registered workflow's name, when the run was started from one. */
  workflow?: string;
  /** Where the run is in its lifecycle. */
  status: RunStatus;
  /** When the run was created, ms since the epoch. */
  createdAt: number;
  /** When the run last changed, ms since the epoch. */
  updatedAt: number;
  /** Overall progress, 0..1. */
  progress: number;
  /** Money spent on model calls so far, USD. */
  costUsd: number;
  /** Tokens used so far, as counted by the models. */
  tokens: { input: number; output: number };
  /** Why the run failed, when it did. */
  error?: { code: string; message: string };
}

/** One event of a run's log; `seq` starts at 1 and has no gaps within a run. */
export interface StoredEvent {
  /** Position in the run's log, from 1. */
  seq: number;
  /** The progress event as it was appended. */
  event: ProgressEvent;
}

/** One page of {@link RunRepository.listRuns}. */
export interface RunPage {
  /** The runs, newest first. */
  runs: RunRecord[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** One page of {@link RunRepository.events}. */
export interface EventPage {
  /** The events, ascending by `seq`. */
  events: StoredEvent[];
  /** Pass as `after` to get the next page; absent when no more events are stored yet. */
  nextAfter?: number;
}

/** What {@link RunRepository.listRuns} takes. */
export interface RunQuery {
  /** Only runs in one of these statuses (default: all). */
  status?: RunStatus[];
  /** Page size: default 50, at most 500. */
  limit?: number;
  /** The `nextCursor` of the previous page (opaque). */
  cursor?: string;
}

/** What {@link RunRepository.events} takes. */
export interface EventQuery {
  /** Only events with `seq` greater than this (default 0). */
  after?: number;
  /** Page size: default 500, at most 5000. */
  limit?: number;
}

/**
 * Runs, their event logs and their latest progress snapshots, as `@troupe/server` lists and serves
 * them. Implemented by the server's `FileRunRepository` and `MemoryRunRepository` and by
 * `@troupe/sql`'s `SqlStore` (PostgreSQL, MySQL/MariaDB). Every method rejects with the backend's
 * error when storage fails.
 */
export interface RunRepository {
  /** Stores a new run; throws `RunExistsError` (code `CONFLICT`) when the id exists. */
  createRun(run: RunRecord): Promise<void>;
  /** Changes some fields of a run; throws `RunNotFoundError` (code `NOT_FOUND`) when it does not exist. */
  updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void>;
  /** The run, or `undefined`. */
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first (createdAt desc, id desc); `limit` default 50, max 500; `cursor` opaque. */
  listRuns(query: RunQuery): Promise<RunPage>;
  /** Appends in order, assigning seq = last + 1, ...; returns the last seq. Safe from several processes at once. */
  appendEvents(id: string, events: readonly ProgressEvent[]): Promise<number>;
  /** Events with seq > after (default 0), ascending, at most `limit` (default 500, max 5000). */
  events(id: string, query: EventQuery): Promise<EventPage>;
  /** Replaces the run's latest snapshot. */
  saveSnapshot(id: string, snapshot: TaskProgress): Promise<void>;
  /** The run's latest snapshot, or `undefined`. */
  getSnapshot(id: string): Promise<TaskProgress | undefined>;
  /** Releases resources. Idempotent. */
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
