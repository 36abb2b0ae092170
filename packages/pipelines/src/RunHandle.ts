import { exec } from './exec.js';
import { RunCore, type RunCoreOptions } from './RunCore.js';
import { StepCtx } from './StepCtx.js';
import type { RunHandle, StepLike } from './scope.js';
import { toStep } from './step.js';

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
