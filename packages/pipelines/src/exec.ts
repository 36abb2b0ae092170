import { asCancellation, errorToWire, toError } from '@troupe/core';
import { completedEvent, terminalEvent } from './progress.js';
import { backoffDelay, isRetryable, sleep } from './retry.js';
import type { StepCtx } from './StepCtx.js';
import { withTimeout } from './signals.js';
import type { Step } from './step.js';

/**
 * Runs one step in `ctx` (its own context): waits at the pause gate, reports
 * started/completed/failed, applies the step's retries and timeout. When
 * nobody watches and nothing stands in the way, it is a plain call.
 */
export function exec<I, O>(step: Step<I, O>, input: I, ctx: StepCtx): Promise<O> {
  const core = ctx.core;
  if (step.policy === undefined && !core.on && !core.gate.closed && !ctx.signal.aborted) {
    return step.run(input, ctx);
  }
  return execTracked(step, input, ctx);
}

async function execTracked<I, O>(step: Step<I, O>, input: I, ctx: StepCtx): Promise<O> {
  const core = ctx.core;
  const on = core.on;
  if (on) core.track(ctx);
  try {
    while (core.gate.closed) await core.gate.pass(ctx.signal);
    if (ctx.signal.aborted) throw asCancellation(ctx.signal.reason);
    core.emitFor(ctx, { kind: 'task.started', name: ctx.name });
    const out = step.policy === undefined ? await step.run(input, ctx) : await attempts(step, input, ctx);
    core.emitFor(ctx, completedEvent(out));
    return out;
  } catch (err) {
    const error = toError(err);
    core.emitFor(ctx, terminalEvent(error));
    throw error;
  } finally {
    if (on) core.untrack(ctx);
  }
}

async function attempts<I, O>(step: Step<I, O>, input: I, ctx: StepCtx): Promise<O> {
  const core = ctx.core;
  const policy = step.policy ?? {};
  const retries = policy.retries ?? 0;
  const timeout = policy.timeout;
  for (;;) {
    try {
      if (timeout === undefined) return await step.run(input, ctx);
      return await withTimeout(timeout, ctx.signal, `step '${ctx.name}'`, (signal) =>
        step.run(input, ctx.withSignal(signal)),
      );
    } catch (err) {
      if (ctx.attempt > retries || ctx.signal.aborted || !isRetryable(err)) throw err;
      const delayMs = backoffDelay(ctx.attempt, policy.backoff);
      ctx.attempt += 1;
      core.emitFor(ctx, { kind: 'task.retrying', attempt: ctx.attempt, delayMs, error: errorToWire(err) });
      await sleep(delayMs, ctx.signal);
      while (core.gate.closed) await core.gate.pass(ctx.signal);
      core.emitFor(ctx, { kind: 'task.started', name: ctx.name });
    }
  }
}
