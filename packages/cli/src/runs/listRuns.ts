import { readdir } from 'node:fs/promises';
import { runPaths, runsDir } from './layout.js';
import { type LockOwner, lockOwner } from './lock.js';
import { type RunRecord, type RunState, readRunRecord } from './RunRecord.js';

/** A stored run as `troupe ls` and `troupe status` show it. */
export interface RunListing {
  record: RunRecord;
  /** The record's state, `running` read as `interrupted` when no live process holds the run. */
  state: RunState;
  /** The live process running it, if any. */
  owner: LockOwner | undefined;
}

/** The state a record means now: a `running` record whose process is gone was interrupted. */
export function effectiveState(record: RunRecord, owner: LockOwner | undefined): RunState {
  return record.state === 'running' && owner === undefined ? 'interrupted' : record.state;
}

/** One stored run, or `undefined` when the store has no such run. */
export async function findRun(storeDir: string, runId: string): Promise<RunListing | undefined> {
  const paths = runPaths(storeDir, runId);
  const record = await readRunRecord(paths);
  if (record === undefined) return undefined;
  const owner = await lockOwner(paths);
  return { record, owner, state: effectiveState(record, owner) };
}

/** Every run in a store, newest first. */
export async function listRuns(storeDir: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(storeDir));
  } catch {
    return [];
  }
  const runs: RunListing[] = [];
  for (const name of names) {
    const run = await findRun(storeDir, name).catch(() => undefined);
    if (run !== undefined) runs.push(run);
  }
  return runs.sort((a, b) => b.record.createdAt - a.record.createdAt);
}
