import { type Store, ValidationError } from '@troupe/core';
import type { RunnerResult, RunnerStatus } from '../types.js';

const ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Throws a `ValidationError` unless `id` is 1–100 of `[A-Za-z0-9_-]` (safe as a store key and a tmux name). */
export function checkId(id: string): string {
  if (!ID.test(id)) {
    throw new ValidationError(`invalid session id '${id}': use 1-100 of [A-Za-z0-9_-]`, {
      issues: [{ path: 'id', message: 'must match [A-Za-z0-9_-]{1,100}' }],
    });
  }
  return id;
}

/** What a runner keeps in its store about one session, so another process can find it. */
export interface SessionRecord {
  /** The runner kind that started it. */
  kind: string;
  /** The session id. */
  id: string;
  /** `running` until it ended, then the final status. */
  status: RunnerStatus;
  /** When it started, ms since the epoch. */
  startedAt: number;
  /** Working directory. */
  cwd?: string;
  /** Process id and group of the program (process runner). */
  pid?: number;
  pgid?: number;
  /** tmux socket, session name and log file (tmux runner). */
  tmux?: { socket: string; name: string; logFile: string };
  /** Runner-specific fields (gateway session keys, run ids). */
  extra?: Record<string, string>;
  /** The result, once it ended. */
  result?: RunnerResult;
}

/** The store key of a session record. */
export function recordKey(kind: string, id: string): string {
  return `runners/${kind}/${id}`;
}

/** Reads a session record (undefined without a store or when absent). */
export function readRecord(
  store: Store | undefined,
  kind: string,
  id: string,
): Promise<SessionRecord | undefined> {
  return store ? store.get<SessionRecord>(recordKey(kind, id)) : Promise.resolve(undefined);
}

/** Writes a session record (no-op without a store). */
export async function writeRecord(store: Store | undefined, record: SessionRecord): Promise<void> {
  if (store) await store.set(recordKey(record.kind, record.id), record);
}

/** The record with its final result. */
export function ended(record: SessionRecord, result: RunnerResult): SessionRecord {
  return { ...record, status: result.status, result };
}
