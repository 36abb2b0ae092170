import type { ProgressEvent } from '@troupe/core';
import type { Observable } from 'rxjs';
import { exec } from './exec.js';
import { RunCore, type RunCoreOptions } from './RunCore.js';
import { StepCtx } from './StepCtx.js';
import { type StepLike, toStep } from './step.js';

/** Where a run is in its life. */
export type RunStatus = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'timed_out' | 'cancelled';

/** A started run: its result, its progress, and control over it. */
export interface RunHandle<O> extends AsyncDisposable {
  /** The run id every progress event of this run carries. */
  readonly runId: string;
  /** Settles with the output, or rejects with the error that ended the run (`CancelledError`, `TimeoutError`, …). */
  readonly result: Promise<O>;
  /** This run's progress events; completes when the run ends. */
  readonly progress$: Observable<ProgressEvent>;
  /** Where the run is now. */
  readonly status: RunStatus;
  /** Starts no new step until {@link resume}; running steps finish (or pause, if they watch `ctx.paused`). */
  pause(): void;
  /** Lets steps start again. */
  resume(): void;
  /** Aborts every running step's signal and rejects `result` with `CancelledError(reason)`. */
  cancel(reason?: string): void;
}

/** Options of {@link run}. */
export type RunOptions = RunCoreOptions;

/**
 * Starts a step (a combinator, an agent step or a function) on `input` and
 * returns its handle. It starts on the next microtask, so subscribing to
 * `progress$` right after `run` sees every event.
 * @example
 * const handle = run(sequential([draft, review]), 'topic', { runtime, name: 'essay' });
 * trackProgress(handle.progress$).subscribe((p) => console.log(p.overallProgress));
 * const essay = await handle.result;
 */
export function run<I, O>(step: StepLike<I, O>, input: I, options: RunOptions = {}): RunHandle<O> {
  const s = toStep(step);
  const core: RunCore<O> = new RunCore<O>(options, () =>
    exec(s, input, new StepCtx(core, core.signal, undefined, s)),
  );
  return core;
}
