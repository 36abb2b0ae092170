import { mkdir } from 'node:fs/promises';
import { initialProgress, type ProgressEvent, reduceProgress } from '@troupe/core';
import { UnknownRunError, UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import { EVENTS_PREFIX, JournalWriter } from '../runs/JournalWriter.js';
import { runPaths } from '../runs/layout.js';
import { acquireRunLock } from '../runs/lock.js';
import { type RunRecord, readRunRecord } from '../runs/RunRecord.js';
import { JsonOutput } from '../view/JsonOutput.js';
import { LiveView } from '../view/LiveView.js';
import { PlainOutput } from '../view/PlainOutput.js';
import type { OutputStreams, RunOutput } from '../view/RunOutput.js';
import { Tracker } from '../view/Tracker.js';
import { goalWorkflow } from '../workflow/goalWorkflow.js';
import { loadWorkflow } from '../workflow/loadWorkflow.js';
import type { Workflow } from '../workflow/types.js';
import { closeOutEvents } from './closeOut.js';
import { driveRun, eventKey } from './RunSession.js';
import { openConnections, openResources } from './resources.js';
import { type RunSettings, storedSettings } from './settings.js';

/**
 * `troupe run`: checks the run can start (a known id on `--resume`, not completed, not held by a
 * live process), opens its model, NATS, store and runtime, replays what an earlier attempt
 * journaled (closing out the tasks it left open), then drives the run to its end.
 */
export async function runCommand(
  settings: RunSettings,
  io: OutputStreams & { cwd: string },
): Promise<ExitCodeValue> {
  const paths = runPaths(settings.storeDir, settings.runId);
  let record: RunRecord | undefined = await readRunRecord(paths);
  if (settings.resume) {
    if (record === undefined) throw new UnknownRunError(settings.runId, settings.storeDir);
    if (record.state === 'completed') {
      io.stderr.write(
        `run ${settings.runId} already completed; see it with: troupe replay ${settings.runId}\n`,
      );
      return ExitCode.Ok;
    }
  } else if (record !== undefined) {
    throw new UsageError(
      `a run '${settings.runId}' exists already; resume it with: troupe run --resume ${settings.runId}`,
    );
  }
  const workflow: Workflow =
    settings.target.kind === 'goal'
      ? goalWorkflow(settings.target.goal)
      : await loadWorkflow(settings.target.path, io.cwd);
  const connections = await openConnections(settings);
  let release: () => Promise<void>;
  try {
    await mkdir(paths.dir, { recursive: true });
    release = await acquireRunLock(paths);
  } catch (err) {
    await connections.transport?.close();
    throw err;
  }
  try {
    await using resources = await openResources(settings, paths, connections);
    const now = Date.now();
    record ??= {
      v: 1,
      runId: settings.runId,
      name: settings.name,
      target: settings.target,
      settings: storedSettings(settings),
      state: 'running',
      createdAt: now,
      updatedAt: now,
      attempts: [],
    };
    const keys = await resources.store.keys(EVENTS_PREFIX);
    const batches = await Promise.all(keys.map((k) => resources.store.get<ProgressEvent[]>(k)));
    const prior = batches.flatMap((batch) => batch ?? []);
    const journal = new JournalWriter({ store: resources.store, nextBatch: keys.length });
    const tracker = new Tracker({ name: settings.name });
    const output = pickOutput(settings, io, tracker);
    for (const event of prior) {
      tracker.push(event);
      output.event(event);
    }
    // A goal run's handle replays orchestrate's own journal first, and closes what a dead session left open.
    if (prior.length > 0 && settings.target.kind === 'workflow') {
      const closing = closeOutEvents(
        prior.reduce(reduceProgress, initialProgress({ name: settings.name })),
        settings.runId,
        now,
      );
      for (const event of closing) {
        journal.append(event);
        tracker.push(event);
        output.event(event);
      }
    }
    const store = settings.storeDir === '.troupe' ? '' : ` --store ${settings.storeDir}`;
    return await driveRun({
      settings,
      paths,
      record,
      resources,
      tracker,
      output,
      journal,
      workflow,
      seen: new Set(prior.map(eventKey)),
      resumeCommand: `troupe run --resume ${settings.runId}${store}`,
      replayCommand: `troupe replay ${settings.runId}${store}`,
    });
  } finally {
    await release();
  }
}

function pickOutput(settings: RunSettings, io: OutputStreams, tracker: Tracker): RunOutput {
  if (settings.output === 'json') return new JsonOutput(io);
  if (settings.output === 'plain') return new PlainOutput(io, tracker, settings.runId);
  return new LiveView(io, tracker, {
    runId: settings.runId,
    hint: `Ctrl-C stops the run cleanly; resume it with troupe run --resume ${settings.runId}`,
  });
}
