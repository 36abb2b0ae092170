import { hostname } from 'node:os';
import { CancelledError, type ProgressEvent, TimeoutError } from '@troupe/core';
import type { RunHandle } from '@troupe/pipelines';
import { serveFileInbox } from '../control/fileInbox.js';
import { serveNatsControl } from '../control/natsControl.js';
import type { ControlReply, ControlRequest } from '../control/request.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { JournalWriter } from '../runs/JournalWriter.js';
import { writeJsonFile } from '../runs/jsonFile.js';
import type { RunPaths } from '../runs/layout.js';
import { type RunRecord, type RunState, writeRunRecord } from '../runs/RunRecord.js';
import type { RunOutput } from '../view/RunOutput.js';
import type { Tracker } from '../view/Tracker.js';
import type { Workflow, WorkflowContext } from '../workflow/types.js';
import type { RunResources } from './resources.js';
import type { RunSettings } from './settings.js';

/** Why the CLI stopped a run itself. */
interface Stop {
  state: Extract<RunState, 'interrupted' | 'cancelled' | 'budget_exhausted'>;
  reason: string;
}

/** Everything a started session drives. */
export interface SessionParts {
  settings: RunSettings;
  paths: RunPaths;
  record: RunRecord;
  resources: RunResources;
  tracker: Tracker;
  output: RunOutput;
  journal: JournalWriter;
  workflow: Workflow;
  /** Keys ({@link eventKey}) of the events already journaled: a handle that replays them is not journaled twice. */
  seen: Set<string>;
  /** How the command resumes this run (for the notes). */
  resumeCommand: string;
  /** How the command replays this run (for the notes; names the store when it is not the default). */
  replayCommand: string;
}

/** Ms a run's progress stream may stay open after its result settled (it normally ends first). */
const DRAIN_MS = 2_000;

/**
 * Drives one run to its end: starts the workflow, sends every event to the journal, the tracker and
 * the output, enforces the budget, serves control requests (pause, resume, cancel, answer; from the
 * `control/` directory and, with NATS, the control subject), stops cleanly on the first Ctrl-C,
 * then writes the final snapshot and record and prints the report. Resolves to the exit code.
 */
export async function driveRun(parts: SessionParts): Promise<ExitCodeValue> {
  const { settings, paths, resources, tracker, output, journal } = parts;
  const record = parts.record;
  const controller = new AbortController();
  let stop: Stop | undefined;
  let handle: RunHandle<unknown> | undefined;
  let paused = false;
  const answers = new Map(settings.answers ?? []);

  const stopRun = (next: Stop): void => {
    if (stop !== undefined) return;
    stop = next;
    output.state(next.state === 'interrupted' ? 'stopping…' : next.state);
    controller.abort(new CancelledError(next.reason));
    handle?.cancel(next.reason);
  };

  const deliver = async (taskId: string, answer: unknown): Promise<ControlReply> => {
    const resume = (handle as { resume?: (taskId?: string, answer?: unknown) => unknown } | undefined)
      ?.resume;
    if (!tracker.stats.tasks.get(taskId)?.question) {
      return { ok: false, state: stateNow(), message: `task '${taskId}' is not waiting for an answer` };
    }
    try {
      // orchestrate's handle validates the answer and rejects with ValidationError naming the field.
      await resume?.call(handle, taskId, answer);
      return { ok: true, state: stateNow(), message: `answered task '${taskId}'` };
    } catch (err) {
      return { ok: false, state: stateNow(), message: (err as Error).message };
    }
  };
  const stateNow = (): string => (stop ? stop.state : paused ? 'paused' : 'running');

  const onEvent = (event: ProgressEvent): void => {
    if (parts.seen.size > 0 && parts.seen.delete(eventKey(event))) return;
    journal.append(event);
    tracker.push(event);
    output.event(event);
    if ((event.kind as string) === 'task.suspended' && answers.has(event.taskId)) {
      const answer = answers.get(event.taskId);
      answers.delete(event.taskId);
      void deliver(event.taskId, answer).then((reply) => output.note(reply.message));
    }
    const { budgetTokens, budgetUsd } = settings;
    if (budgetTokens !== undefined && tracker.stats.tokens > budgetTokens) {
      stopRun({
        state: 'budget_exhausted',
        reason: `token budget exhausted: ${tracker.stats.tokens} used of ${budgetTokens}`,
      });
    } else if (budgetUsd !== undefined && tracker.stats.costUsd > budgetUsd) {
      stopRun({
        state: 'budget_exhausted',
        reason: `USD budget exhausted: $${tracker.stats.costUsd.toFixed(4)} spent of $${budgetUsd}`,
      });
    }
  };

  const control = async (request: ControlRequest): Promise<ControlReply> => {
    switch (request.op) {
      case 'pause':
        handle?.pause();
        paused = true;
        output.state('paused');
        return { ok: true, state: stateNow(), message: 'paused: running steps finish, no new step starts' };
      case 'resume':
        handle?.resume();
        paused = false;
        output.state('running');
        return { ok: true, state: stateNow(), message: 'resumed' };
      case 'cancel':
        stopRun({ state: 'cancelled', reason: request.reason ?? 'cancelled by troupe cancel' });
        return { ok: true, state: stateNow(), message: 'cancelling' };
      case 'answer':
        return deliver(request.taskId, request.answer);
    }
  };

  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      output.note('stopping cleanly… (Ctrl-C again to quit at once)');
      stopRun({ state: 'interrupted', reason: 'interrupted by Ctrl-C' });
      return;
    }
    process.stderr.write(`\nquit; resume with: ${parts.resumeCommand}\n`);
    process.exit(ExitCode.Interrupted);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const stopInbox = await serveFileInbox(paths.control, control);
  const stopNats = resources.nc
    ? serveNatsControl(resources.nc, settings.namespace, settings.runId, control)
    : undefined;

  record.state = 'running';
  record.attempts.push({ pid: process.pid, host: hostname(), startedAt: Date.now() });
  record.updatedAt = Date.now();
  delete record.reason;
  delete record.finishedAt;
  await writeRunRecord(paths, record);

  let outcome: Outcome;
  let drained: Promise<void> = Promise.resolve();
  try {
    const ctx: WorkflowContext = {
      runId: settings.runId,
      name: settings.name,
      resuming: settings.resume,
      runtime: resources.runtime,
      store: resources.store,
      model: resources.model,
      maxConcurrency: settings.maxConcurrency,
      budget: {
        ...(settings.budgetTokens === undefined ? {} : { tokens: settings.budgetTokens }),
        ...(settings.budgetUsd === undefined ? {} : { costUsd: settings.budgetUsd }),
      },
      input: settings.input,
      signal: controller.signal,
      // replay: the events a run emits before the CLI subscribes (it starts on a microtask) are kept.
      runOptions: {
        runId: settings.runId,
        name: settings.name,
        runtime: resources.runtime,
        signal: controller.signal,
        replay: 10_000,
      },
    };
    handle = await parts.workflow(ctx);
    const h = handle;
    drained = new Promise<void>((resolve) => {
      h.progress$.subscribe({ next: onEvent, error: () => resolve(), complete: () => resolve() });
    });
    if (stop !== undefined) h.cancel(stop.reason);
    const value = await h.result;
    outcome = reportOutcome(value);
  } catch (err) {
    outcome = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
  stopNats?.();
  await stopInbox();

  const state: RunState = outcome.ok
    ? 'completed'
    : (stop?.state ?? outcome.state ?? stateOfError(outcome.error));
  const reason = outcome.ok ? undefined : (stop?.reason ?? outcome.error.message);
  const snapshot = tracker.finish();
  await journal.flush();
  await writeJsonFile(paths.final, snapshot);
  record.state = state;
  record.updatedAt = Date.now();
  if (reason !== undefined) record.reason = reason;
  if (state !== 'interrupted') record.finishedAt = Date.now();
  await writeRunRecord(paths, record);
  const notes =
    state === 'completed'
      ? [`replay: ${parts.replayCommand}`]
      : [`resume: ${parts.resumeCommand}`, `replay: ${parts.replayCommand}`];
  output.end({ snapshot, stats: tracker.stats, state, ...(reason === undefined ? {} : { reason }), notes });
  if (!outcome.ok && stop === undefined && handle === undefined) throw outcome.error;
  return exitCodeOfState(state);
}

type Outcome = { ok: true } | { ok: false; error: Error; state?: RunState };

/**
 * How a run that resolved went: an `orchestrate` report says `partial` when a budget ran out and
 * `failed` when failures went beyond re-planning; any other value is a completed run.
 */
function reportOutcome(value: unknown): Outcome {
  const report = value as { status?: unknown; stopReason?: unknown } | null;
  if (typeof report !== 'object' || report === null) return { ok: true };
  const why = typeof report.stopReason === 'string' ? report.stopReason : undefined;
  if (report.status === 'partial') {
    return {
      ok: false,
      state: 'budget_exhausted',
      error: new Error(`stopped early: ${why ?? 'a budget ran out'}`),
    };
  }
  if (report.status === 'failed') {
    return { ok: false, state: 'failed', error: new Error(`failed${why ? `: ${why}` : ''}`) };
  }
  return { ok: true };
}

/** What identifies an event in a journal: its run, task, kind, time and sequence number. */
export function eventKey(e: ProgressEvent): string {
  return `${e.runId}\u0000${e.taskId}\u0000${e.kind}\u0000${e.ts}\u0000${e.seq}`;
}

function stateOfError(error: Error): RunState {
  if (error instanceof TimeoutError) return 'timed_out';
  if (error instanceof CancelledError) return 'cancelled';
  if (/BUDGET/.test((error as { code?: string }).code ?? '')) return 'budget_exhausted';
  return 'failed';
}

/** The exit code of a run that ended in `state`. */
export function exitCodeOfState(state: RunState): ExitCodeValue {
  switch (state) {
    case 'completed':
      return ExitCode.Ok;
    case 'interrupted':
      return ExitCode.Interrupted;
    case 'cancelled':
      return ExitCode.Cancelled;
    case 'budget_exhausted':
      return ExitCode.BudgetExhausted;
    default:
      return ExitCode.Failed;
  }
}
