import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of live processes (zombies excluded) whose command line contains `marker`, read from
 * /proc (Linux). Give the processes a test-unique argument and count what is left afterwards.
 */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      // A zombie's cmdline is empty, so it never matches.
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(marker)) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
