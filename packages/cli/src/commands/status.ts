import { initialProgress, reduceProgress } from '@troupe/core';
import { UnknownRunError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { runPaths } from '../runs/layout.js';
import { findRun, listRuns } from '../runs/listRuns.js';
import { readJournal } from '../runs/readJournal.js';
import { RunStats } from '../view/RunStats.js';
import { renderReport } from '../view/report.js';

/**
 * `troupe status [runId]`: a run's state, whether a process is running it, its progress per
 * sub-task and any question waiting for an answer; without an id, the newest run.
 */
export async function statusCommand(
  runId: string | undefined,
  options: { store: string; json?: boolean },
  io: CliIo,
): Promise<ExitCodeValue> {
  const run = runId === undefined ? (await listRuns(options.store))[0] : await findRun(options.store, runId);
  if (run === undefined) {
    if (runId !== undefined) throw new UnknownRunError(runId, options.store);
    io.stdout.write(`no runs in ${options.store}\n`);
    return ExitCode.Ok;
  }
  const id = run.record.runId;
  const events = await readJournal(runPaths(options.store, id).store);
  const snapshot = events.reduce(reduceProgress, initialProgress({ name: run.record.name }));
  const stats = new RunStats();
  for (const event of events) stats.apply(event);
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ record: run.record, state: run.state, pid: run.owner?.pid, snapshot })}\n`,
    );
    return ExitCode.Ok;
  }
  const who = run.owner
    ? `running in process ${run.owner.pid} on ${run.owner.host}`
    : 'no process is running it';
  const lines = [
    `run ${id} · ${run.record.name} · ${run.state} · ${snapshot.overallProgress.toFixed(0)}% · ${who}`,
    ...renderReport({
      snapshot,
      stats,
      runId: id,
      state: run.state,
      width: (io.stdout.columns ?? 120) - 1,
      color: false,
    }).slice(1),
  ];
  for (const { taskId, question } of stats.suspended()) {
    lines.push(`? ${taskId} asks: ${question}`, `  answer with: troupe answer ${id} ${taskId} '<json>'`);
  }
  if (!run.owner && run.state !== 'completed') lines.push(`resume: troupe run --resume ${id}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.Ok;
}
