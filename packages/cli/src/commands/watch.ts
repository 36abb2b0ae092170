import type { ProgressEvent } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import type { Observable } from 'rxjs';
import { UnknownRunError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { followNats } from '../runs/followNats.js';
import { runPaths } from '../runs/layout.js';
import { findRun } from '../runs/listRuns.js';
import { lockOwner } from '../runs/lock.js';
import { followJournal } from '../runs/readJournal.js';
import { exitCodeOfState } from '../session/RunSession.js';
import { JsonOutput } from '../view/JsonOutput.js';
import { LiveView } from '../view/LiveView.js';
import { PlainOutput } from '../view/PlainOutput.js';
import type { RunOutput } from '../view/RunOutput.js';
import { Tracker } from '../view/Tracker.js';

/** Options of `troupe watch`. */
export interface WatchOptions {
  store: string;
  nats?: string;
  namespace: string;
  output: 'live' | 'plain' | 'json';
}

/**
 * `troupe watch <runId>`: the live view of a run another process is running, from the run's
 * journal in the store (read while it is written), or with `--nats` from the JetStream progress
 * stream (the run may be on another machine). Ends with the report when the run ends; exits with
 * the run's exit code (0 when it completed).
 */
export async function watchCommand(runId: string, options: WatchOptions, io: CliIo): Promise<ExitCodeValue> {
  const paths = runPaths(options.store, runId);
  const local = await findRun(options.store, runId);
  const tracker = new Tracker(local ? { name: local.record.name } : {});
  let events$: Observable<ProgressEvent>;
  let close = async (): Promise<void> => {};
  let found = local !== undefined;
  if (options.nats !== undefined) {
    const transport = await connectNats({
      connection: { servers: options.nats.split(',') },
      progress: false,
    });
    close = () => transport.close();
    const nc = transport.connection;
    if (nc === undefined) throw new Error('NATS connection is not open');
    events$ = followNats(nc, { namespace: options.namespace, runId }, (has) => {
      found ||= has;
    });
  } else {
    if (local === undefined) throw new UnknownRunError(runId, options.store);
    events$ = followJournal(paths.store, { done: async () => (await lockOwner(paths)) === undefined });
  }
  const output: RunOutput =
    options.output === 'json'
      ? new JsonOutput(io)
      : options.output === 'plain'
        ? new PlainOutput(io, tracker, runId)
        : new LiveView(io, tracker, { runId, hint: 'watching; Ctrl-C stops watching (the run goes on)' });
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort();
  process.once('SIGINT', onSigint);
  try {
    await new Promise<void>((resolve, reject) => {
      const sub = events$.subscribe({
        next: (event) => {
          tracker.push(event);
          output.event(event);
        },
        error: reject,
        complete: resolve,
      });
      interrupted.signal.addEventListener('abort', () => {
        sub.unsubscribe();
        resolve();
      });
    });
  } finally {
    process.off('SIGINT', onSigint);
    await close();
  }
  if (!found) {
    output.end({ snapshot: tracker.finish(), stats: tracker.stats, state: 'unknown', notes: [] });
    throw new UnknownRunError(
      runId,
      options.nats === undefined ? options.store : `namespace '${options.namespace}' on ${options.nats}`,
    );
  }
  const after = await findRun(options.store, runId);
  const snapshot = tracker.finish();
  const state = interrupted.signal.aborted ? 'watching stopped' : (after?.state ?? snapshot.status);
  output.end({ snapshot, stats: tracker.stats, state, notes: [`replay: troupe replay ${runId}`] });
  if (interrupted.signal.aborted) return ExitCode.Ok;
  return after
    ? exitCodeOfState(after.state)
    : snapshot.status === 'completed'
      ? ExitCode.Ok
      : ExitCode.Failed;
}
