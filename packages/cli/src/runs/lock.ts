import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { RunBusyError } from '../errors.js';
import type { RunPaths } from './layout.js';

/** Who holds a run: the pid and host in its lock file. */
export interface LockOwner {
  pid: number;
  host: string;
}

/** Whether a process with this pid lives on this machine (a zombie counts as alive until reaped). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of a run's lock; `undefined` when there is no lock or its process is gone. */
export async function lockOwner(paths: RunPaths): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(paths.lock, 'utf8');
  } catch {
    return undefined;
  }
  let owner: LockOwner;
  try {
    owner = JSON.parse(text) as LockOwner;
  } catch {
    return undefined; // torn write of a process that died while writing it
  }
  // Another host's pid cannot be checked: its lock counts as held.
  if (owner.host !== hostname()) return owner;
  return pidAlive(owner.pid) ? owner : undefined;
}

/**
 * Takes a run's lock for this process (created exclusively; a lock whose process is gone is taken
 * over). Throws {@link RunBusyError} when a live process holds it. Resolves to the release function.
 */
export async function acquireRunLock(paths: RunPaths): Promise<() => Promise<void>> {
  const me: LockOwner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(paths.lock, 'wx');
      try {
        await file.writeFile(JSON.stringify(me));
      } finally {
        await file.close();
      }
      return async () => {
        await rm(paths.lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await lockOwner(paths);
    if (owner !== undefined) throw new RunBusyError(paths.runId, owner.pid);
    await rm(paths.lock, { force: true }); // stale: its process is gone
  }
  throw new RunBusyError(paths.runId, -1);
}
