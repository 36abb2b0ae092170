import { asCancellation, CancelledError, failureEvent, onAbort, TimeoutError, toError } from '@troupe/core';
import { StepError } from './errors.js';
import { exec } from './exec.js';
import { concurrencyLimit } from './limits.js';
import type { AnyStep, InputOf, OutputOf, Step, TaskScope } from './scope.js';
import { allowManyListeners, linkedController, noop, WIDE } from './signals.js';
import { makeStep, ownInput, toStep } from './step.js';

/** Options of {@link parallel}. */
export interface ParallelOptions {
  /** Name shown in progress (default `parallel`). */
  name?: string;
  /** Steps running at once: an integer ≥ 1 or Infinity (default: all); else a `ValidationError`. */
  maxConcurrency?: number;
  /**
   * errgroup: the first failure aborts every sibling's signal, reports each unfinished sibling
   * cancelled, and then rejects with a `StepError` naming the step.
   */
  failFast?: boolean;
  /** Ms for the whole fan-out; unfinished steps end with `TimeoutError`. */
  timeout?: number;
  /** Aborting cancels the fan-out (besides the run's own signal). */
  signal?: AbortSignal;
}

/** The outcome of one step when outcomes are collected (like `Promise.allSettled`, with typed errors). */
export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: Error };

/**
 * The input a fan-out needs: what every one of its steps accepts, the intersection of their input
 * types, each taken whole (a step taking `string | null` contributes `string | null`, not
 * `string & null`): each input is wrapped in a parameter position before intersecting.
 */
export type ParallelInput<S extends readonly AnyStep[]> = {
  [K in keyof S]: (input: InputOf<S[K]>) => void;
}[number] extends (input: infer X) => void
  ? X
  : never;
/** The outputs of a failFast fan-out, in step order. */
export type ParallelOutputs<S extends readonly AnyStep[]> = { -readonly [K in keyof S]: OutputOf<S[K]> };
/** The settled outcomes of a fan-out, in step order. */
export type ParallelSettled<S extends readonly AnyStep[]> = {
  -readonly [K in keyof S]: Settled<OutputOf<S[K]>>;
};

/**
 * Runs steps on the same input at once (up to `maxConcurrency`). With
 * `failFast` it resolves to the outputs in order and the first failure
 * cancels the rest; without, it resolves to every outcome as {@link Settled}.
 * @example
 * const [a, b] = await run(parallel([searchWeb, searchPapers], { failFast: true, timeout: 30_000 }), query).result;
 */
export function parallel<const S extends readonly AnyStep[]>(
  steps: S,
  options: ParallelOptions & { failFast: true },
): Step<ParallelInput<S>, ParallelOutputs<S>>;
export function parallel<const S extends readonly AnyStep[]>(
  steps: S,
  options?: ParallelOptions & { failFast?: false },
): Step<ParallelInput<S>, ParallelSettled<S>>;
export function parallel(steps: readonly AnyStep[], options: ParallelOptions = {}): Step<unknown, unknown[]> {
  // Each branch gets its own copy of the input, as it would over NATS.
  const compiled = steps.map((s) => ownInput(toStep(s) as Step<unknown, unknown>, 'parallel'));
  const limit = concurrencyLimit('parallel', 'maxConcurrency', options.maxConcurrency);
  const name = options.name ?? 'parallel';
  return makeStep(name, (input: unknown, ctx: TaskScope) => fanOut(compiled, input, ctx, options, limit));
}

function fanOut(
  steps: Step<unknown, unknown>[],
  input: unknown,
  ctx: TaskScope,
  options: ParallelOptions,
  limit: number,
): Promise<unknown[]> {
  const n = steps.length;
  const failFast = options.failFast === true;
  const core = ctx.core;
  // An own signal only when something can abort this fan-out alone; otherwise children share the parent's.
  const own = failFast || options.timeout !== undefined || options.signal !== undefined;
  const [controller, unlink] = own ? linkedController(ctx.signal) : [undefined, noop];
  const signal = controller?.signal ?? ctx.signal;
  if (n > WIDE) allowManyListeners(signal);
  const kids: TaskScope[] = new Array(n);
  for (let i = 0; i < n; i++) kids[i] = ctx.child(steps[i] as Step<never, unknown>, signal);
  // Every step is announced before the first starts, so the run knows its share of the whole; the
  // ones that must wait for a slot (beyond the limit, or while paused) are announced queued.
  if (core.on) for (let i = 0; i < n; i++) core.created(kids[i] as TaskScope, i >= limit || core.gate.closed);
  const out: unknown[] = new Array(n);
  return new Promise<unknown[]>((resolve, reject) => {
    let next = 0;
    let running = 0;
    let settled = 0;
    let ended = false;
    const cleanups: Array<() => void> = [unlink];
    /** Settles the fan-out, after every step it started or announced has reported how it ended. */
    const end = (error: Error | undefined, abortSiblings?: Error) => {
      if (ended) return;
      ended = true;
      for (const c of cleanups) c();
      if (abortSiblings) controller?.abort(abortSiblings);
      if (core.on) {
        const reason = signal.aborted ? toError(signal.reason) : error;
        if (reason) for (let i = 0; i < next; i++) core.ended(kids[i] as TaskScope, failureEvent(reason));
        if (next < n) {
          const cause = error ?? reason;
          const why = failureEvent(
            cause instanceof TimeoutError || cause instanceof CancelledError
              ? cause
              : new CancelledError(`not started: ${cause?.message ?? 'ended'}`),
          );
          for (let i = next; i < n; i++) core.ended(kids[i] as TaskScope, why);
        }
      }
      if (error) reject(error);
      else resolve(out);
    };
    if (controller) {
      cleanups.push(onAbort(signal, () => onOwnAbort(toError(signal.reason))));
      const user = options.signal;
      if (user) cleanups.push(onAbort(user, () => controller.abort(asCancellation(user.reason))));
      const timeout = options.timeout;
      if (timeout !== undefined) {
        const timer = setTimeout(
          () =>
            controller.abort(
              new TimeoutError(`parallel '${ctx.name}' timed out after ${timeout} ms`, { data: { timeout } }),
            ),
          timeout,
        );
        cleanups.push(() => clearTimeout(timer));
      }
    }
    function onOwnAbort(reason: Error): void {
      // Collecting outcomes, a timeout is each unfinished step's outcome; anything else ends the fan-out.
      if (failFast || !(reason instanceof TimeoutError) || ctx.signal.aborted) {
        end(reason);
        return;
      }
      for (let i = 0; i < n; i++) if (out[i] === undefined) out[i] = { status: 'rejected', reason };
      end(undefined);
    }
    const onDone = (i: number, value: unknown, error: Error | undefined) => {
      running -= 1;
      settled += 1;
      if (ended) return;
      if (error === undefined) out[i] = failFast ? value : { status: 'fulfilled', value };
      else if (failFast) {
        const failure = new StepError('parallel', {
          step: (steps[i] as Step<unknown, unknown>).name,
          index: i,
          cause: error,
        });
        end(failure, new CancelledError(`sibling ${failure.message}`, { cause: failure }));
        return;
      } else out[i] = { status: 'rejected', reason: error };
      if (settled === n) return signal.aborted ? end(asCancellation(signal.reason)) : end(undefined);
      pump();
    };
    const launch = (i: number) => {
      running += 1;
      exec(steps[i] as Step<unknown, unknown>, input, kids[i] as TaskScope).then(
        (value) => onDone(i, value, undefined),
        (err: unknown) => onDone(i, undefined, toError(err)),
      );
    };
    function pump(): void {
      while (running < limit && next < n && !ended) launch(next++);
    }
    if (n === 0) end(undefined);
    else pump();
  });
}
