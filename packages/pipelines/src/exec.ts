import { asCancellation, completedEvent, errorPreview, failureEvent, toError, tracingOn } from '@troupe/core';
import { backoffDelay, isRetryable, sleep } from './retry.js';
import type { Step, TaskScope } from './scope.js';
import { withTimeout } from './signals.js';
import { inStepSpan } from './tracing.js';

/**
 * Runs one step in `ctx` (its own context): waits at the pause gate, reports
 * started/completed/failed, applies the step's retries and timeout. When
 * nobody watches and nothing stands in the way, it is a plain call.
 */
export function exec<I, O>(step: Step<I, O>, input: I, ctx: TaskScope): Promise<O> {
  if (tracingOn()) return inStepSpan(ctx, () => execStep(step, input, ctx));
  return execStep(step, input, ctx);
}

function execStep<I, O>(step: Step<I, O>, input: I, ctx: TaskScope): Promise<O> {
  const core = ctx.core;
  if (step.policy === undefined && !core.on && !core.gate.closed && !ctx.signal.aborted) {
    return step.run(input, ctx);
  }
  return execTracked(step, input, ctx);
}

function execTracked<I, O>(step: Step<I, O>, input: I, ctx: TaskScope): Promise<O> {
  const core = ctx.core;
  if (core.gate.closed || ctx.signal.aborted) return execWhenOpen(step, input, ctx);
  core.started(ctx);
  let work: Promise<O>;
  try {
    work = step.policy === undefined ? step.run(input, ctx) : attempts(step, input, ctx);
  } catch (err) {
    work = Promise.reject(err);
  }
  // One reaction, not an async function: this runs once per step of every watched run.
  return work.then(
    (out) => {
      core.ended(ctx, completedEvent(out));
      return out;
    },
    (err: unknown) => {
      const error = toError(err);
      core.ended(ctx, failureEvent(error));
      throw error;
    },
  );
}

/** Waits at the pause gate (or fails on an aborted signal, reporting it) before running. */
async function execWhenOpen<I, O>(step: Step<I, O>, input: I, ctx: TaskScope): Promise<O> {
  const core = ctx.core;
  try {
    while (core.gate.closed) await core.gate.pass(ctx.signal);
    if (ctx.signal.aborted) throw asCancellation(ctx.signal.reason);
  } catch (err) {
    const error = toError(err);
    core.ended(ctx, failureEvent(error));
    throw error;
  }
  return execTracked(step, input, ctx);
}

async function attempts<I, O>(step: Step<I, O>, input: I, ctx: TaskScope): Promise<O> {
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
      core.emitFor(ctx, {
        kind: 'task.retrying',
        attempt: ctx.attempt + 1,
        delayMs,
        error: errorPreview(err),
      });
      await sleep(delayMs, ctx.signal);
      while (core.gate.closed) await core.gate.pass(ctx.signal);
      // The next attempt counts from here: one cancelled during the backoff was never made.
      ctx.attempt += 1;
      core.started(ctx);
    }
  }
}
