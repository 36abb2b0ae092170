import { readdirSync, readFileSync } from 'node:fs';
import { pollUntil } from './waiting.js';

const HAS_PROC = process.platform === 'linux';

/** Sends `signal` to every process in group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** `[state, pgrp]` of a process from /proc, or undefined when it is gone. */
function stat(pid: string | number): [string, number] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [fields[0] as string, Number(fields[2])];
  } catch {
    return undefined;
  }
}

/**
 * Whether any live process is in group `pgid`. Zombies do not count: an orphan reparented
 * to an init that reaps slowly (common in containers) would otherwise look alive forever.
 */
export function groupAlive(pgid: number): boolean {
  if (!HAS_PROC) return signalGroup(pgid, 0);
  return groupMembers(pgid).length > 0;
}

/** Pids of the live processes in group `pgid` (Linux; elsewhere just `[pgid]`). */
export function groupMembers(pgid: number): number[] {
  if (!HAS_PROC) return [pgid];
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const s = stat(name);
    if (s !== undefined && s[1] === pgid && s[0] !== 'Z') pids.push(Number(name));
  }
  return pids;
}

/** Whether process `pid` is alive (not a zombie). */
export function pidAlive(pid: number): boolean {
  if (HAS_PROC) {
    const s = stat(pid);
    return s !== undefined && s[0] !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link killGroup}. */
export interface KillGroupOptions {
  /** Ms between SIGTERM and SIGKILL (default 2 000). */
  graceMs?: number;
  /** Ms between checks (default 20). */
  pollMs?: number;
}

/**
 * Stops every process in group `pgid`: SIGTERM (with SIGCONT, so stopped ones see it), then
 * SIGKILL after `graceMs` for whatever is left; resolves once no live process remains
 * (or 5 s after SIGKILL, which only a process stuck in the kernel survives).
 */
export async function killGroup(pgid: number, options: KillGroupOptions = {}): Promise<void> {
  const intervalMs = options.pollMs ?? 20;
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  signalGroup(pgid, 'SIGCONT');
  const gone = await pollUntil(() => !groupAlive(pgid), { intervalMs, timeoutMs: options.graceMs ?? 2_000 });
  if (gone) return;
  signalGroup(pgid, 'SIGKILL');
  await pollUntil(() => !groupAlive(pgid), { intervalMs, timeoutMs: 5_000 });
}
