import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Run ids the CLI accepts: they name a directory and a NATS subject token. */
const RUN_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/**
 * Where one run lives under the store directory (`--store`, default `.troupe`):
 *
 *     <store>/runs/<runId>/run.json     what was run, by whom, its status (see RunRecord)
 *     <store>/runs/<runId>/lock         the pid of the process running it
 *     <store>/runs/<runId>/store/       the run's FileStore: its event journal, checkpoints, agent state
 *     <store>/runs/<runId>/final.json   the last TaskProgress snapshot the live view showed
 *     <store>/runs/<runId>/control/     requests from other processes (pause, resume, cancel, answer)
 *
 * One directory (and one FileStore) per run, so runs in one project never share a log file.
 */
export interface RunPaths {
  readonly runId: string;
  readonly dir: string;
  readonly record: string;
  readonly lock: string;
  readonly store: string;
  readonly final: string;
  readonly control: string;
}

/** The directory holding every run of a store. */
export function runsDir(storeDir: string): string {
  return join(resolve(storeDir), 'runs');
}

/** The paths of one run; throws {@link UsageError} for an id that is not a safe name. */
export function runPaths(storeDir: string, runId: string): RunPaths {
  if (!RUN_ID.test(runId)) {
    throw new UsageError(`'${runId}' is not a run id (letters, digits, '_', '-', '.'; at most 128)`);
  }
  const dir = join(runsDir(storeDir), runId);
  return {
    runId,
    dir,
    record: join(dir, 'run.json'),
    lock: join(dir, 'lock'),
    store: join(dir, 'store'),
    final: join(dir, 'final.json'),
    control: join(dir, 'control'),
  };
}
