import { CancelledError, failureEvent, toError } from '@troupe/core';
import { exec } from './exec.js';
import type { Step, StepLike, TaskScope } from './scope.js';
import { makeStep, toStep } from './step.js';

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /** Name shown in progress (default `sequential`). */
  name?: string;
}

/**
 * Runs steps one after another, each output feeding the next; typed end to
 * end (the output of one is the input of the next).
 * @example
 * const pipeline = sequential([
 *   (topic: string) => `notes on ${topic}`,
 *   agentStep(writerRef, (notes) => Draft.create({ notes })),
 *   async (draft, ctx) => polish(draft, ctx.signal),
 * ]);
 */
export function sequential<A, B>(steps: readonly [StepLike<A, B>], options?: SequentialOptions): Step<A, B>;
export function sequential<A, B, C>(
  steps: readonly [StepLike<A, B>, StepLike<B, C>],
  options?: SequentialOptions,
): Step<A, C>;
export function sequential<A, B, C, D>(
  steps: readonly [StepLike<A, B>, StepLike<B, C>, StepLike<C, D>],
  options?: SequentialOptions,
): Step<A, D>;
export function sequential<A, B, C, D, E>(
  steps: readonly [StepLike<A, B>, StepLike<B, C>, StepLike<C, D>, StepLike<D, E>],
  options?: SequentialOptions,
): Step<A, E>;
export function sequential<A, B, C, D, E, F>(
  steps: readonly [StepLike<A, B>, StepLike<B, C>, StepLike<C, D>, StepLike<D, E>, StepLike<E, F>],
  options?: SequentialOptions,
): Step<A, F>;
export function sequential<A, B, C, D, E, F, G>(
  steps: readonly [
    StepLike<A, B>,
    StepLike<B, C>,
    StepLike<C, D>,
    StepLike<D, E>,
    StepLike<E, F>,
    StepLike<F, G>,
  ],
  options?: SequentialOptions,
): Step<A, G>;
export function sequential<A, B, C, D, E, F, G, H>(
  steps: readonly [
    StepLike<A, B>,
    StepLike<B, C>,
    StepLike<C, D>,
    StepLike<D, E>,
    StepLike<E, F>,
    StepLike<F, G>,
    StepLike<G, H>,
  ],
  options?: SequentialOptions,
): Step<A, H>;
export function sequential<T>(steps: readonly StepLike<T, T>[], options?: SequentialOptions): Step<T, T>;
export function sequential(
  steps: readonly StepLike<unknown, unknown>[],
  options: SequentialOptions = {},
): Step<unknown, unknown> {
  const compiled = steps.map((s) => toStep(s));
  const n = compiled.length;
  return makeStep(options.name ?? 'sequential', async (input: unknown, ctx: TaskScope) => {
    // Every step is announced before the first runs, so the run knows its share of the whole.
    let kids: TaskScope[] | undefined;
    if (ctx.core.on) {
      kids = compiled.map((s) => ctx.child(s));
      for (const kid of kids) ctx.core.created(kid, false);
    }
    let value = input;
    let i = 0;
    try {
      for (; i < n; i++) {
        const s = compiled[i] as Step<unknown, unknown>;
        value = await exec(s, value, kids?.[i] ?? ctx.child(s));
      }
    } catch (err) {
      if (kids) notStarted(ctx, kids.slice(i + 1), err);
      throw err;
    }
    return value;
  });
}

/** Closes the cards of steps that will never start because an earlier one failed. */
function notStarted(ctx: TaskScope, kids: TaskScope[], cause: unknown): void {
  const why = failureEvent(new CancelledError(`not started: ${toError(cause).message}`));
  for (const kid of kids) ctx.core.ended(kid, why);
}
