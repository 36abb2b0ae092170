import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { listRuns } from '../runs/listRuns.js';
import { clock, cut, duration } from '../view/format.js';

/** `troupe ls`: the runs in the store, newest first (id, state, name, started, duration). */
export async function lsCommand(
  options: { store: string; json?: boolean },
  io: CliIo,
): Promise<ExitCodeValue> {
  const runs = await listRuns(options.store);
  if (options.json) {
    for (const run of runs)
      io.stdout.write(`${JSON.stringify({ ...run.record, state: run.state, pid: run.owner?.pid })}\n`);
    return ExitCode.Ok;
  }
  if (runs.length === 0) {
    io.stdout.write(`no runs in ${options.store}\n`);
    return ExitCode.Ok;
  }
  io.stdout.write(
    `${'run'.padEnd(26)} ${'state'.padEnd(16)} ${'started'.padEnd(19)} ${'took'.padStart(8)}  name\n`,
  );
  for (const { record, state, owner } of runs) {
    const end = record.finishedAt ?? (owner ? Date.now() : record.updatedAt);
    const started = `${new Date(record.createdAt).toISOString().slice(0, 10)} ${clock(record.createdAt)}`;
    io.stdout.write(
      `${record.runId.padEnd(26)} ${(owner ? `${state} (pid ${owner.pid})` : state).padEnd(16)} ${started} ${duration(end - record.createdAt).padStart(8)}  ${cut(record.name, 60)}\n`,
    );
  }
  return ExitCode.Ok;
}
