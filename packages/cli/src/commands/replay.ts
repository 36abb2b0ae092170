import { initialProgress, reduceProgress } from '@troupe/core';
import { UnknownRunError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { runPaths } from '../runs/layout.js';
import { findRun } from '../runs/listRuns.js';
import { readJournal } from '../runs/readJournal.js';
import { RunStats } from '../view/RunStats.js';
import { renderReport } from '../view/report.js';
import { renderTimeline } from '../view/timeline.js';

/** Options of `troupe replay`. */
export interface ReplayOptions {
  store: string;
  json?: boolean;
  timeline?: boolean;
}

/**
 * `troupe replay <runId>`: rebuilds the run's `TaskProgress` from its stored event log (a pure
 * reduction, no agent runs) and prints its timeline and final snapshot; `--json` prints the
 * snapshot as JSON.
 */
export async function replayCommand(
  runId: string,
  options: ReplayOptions,
  io: CliIo,
): Promise<ExitCodeValue> {
  const run = await findRun(options.store, runId);
  if (run === undefined) throw new UnknownRunError(runId, options.store);
  const events = await readJournal(runPaths(options.store, runId).store);
  const snapshot = events.reduce(reduceProgress, initialProgress({ name: run.record.name }));
  if (options.json) {
    io.stdout.write(`${JSON.stringify(snapshot)}\n`);
    return ExitCode.Ok;
  }
  const stats = new RunStats();
  for (const event of events) stats.apply(event);
  const width = (io.stdout.columns ?? 120) - 1;
  const lines = options.timeline === false ? [] : ['timeline', ...renderTimeline(events), ''];
  lines.push(
    ...renderReport({
      snapshot,
      stats,
      runId,
      state: run.state,
      ...(run.record.reason === undefined ? {} : { reason: run.record.reason }),
      width,
      color: false,
    }),
  );
  lines.push(`${events.length} events replayed`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.Ok;
}
