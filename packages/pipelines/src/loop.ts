import { ValidationError } from '@troupe/core';
import { exec } from './exec.js';
import type { Step, StepContext, StepLike, TaskScope } from './scope.js';
import { makeStep, toStep } from './step.js';

/** What a loop condition sees besides the current value. */
export interface LoopInfo {
  /** Iterations done so far. */
  iteration: number;
  /** The loop's context. */
  ctx: StepContext;
}

/** A loop condition over the current value. */
export type LoopCondition<T> = (value: T, info: LoopInfo) => boolean | PromiseLike<boolean>;

/** Options of {@link loop}. */
export interface LoopOptions<T> {
  /** Checked before each iteration: the loop runs while it holds. */
  while?: LoopCondition<T>;
  /** Checked after each iteration: the loop stops once it holds. */
  until?: LoopCondition<T>;
  /** Upper bound of iterations; reaching it ends the loop with the last value (default 100; with a condition, a warning is logged). */
  maxIterations?: number;
  /** Name shown in progress (default `loop`). */
  name?: string;
}

/**
 * Runs `body` repeatedly, each output feeding the next iteration, while
 * `while` holds / until `until` holds, at most `maxIterations` times.
 *
 * Progress: the number of iterations is not known in advance, so the loop announces
 * `maxIterations` as the most it will run (`task.progress.expectedSubtasks`): each iteration
 * adds its share of that, and the loop jumps to 100% when its condition ends it early. Its
 * progress never goes back; with a loose `maxIterations` it reads low until the end.
 * @example
 * const refine = loop(improveDraft, { until: (draft) => draft.score >= 0.9, maxIterations: 5 });
 */
export function loop<T>(body: StepLike<T, T>, options: LoopOptions<T>): Step<T, T> {
  const compiled = toStep(body);
  const max = options.maxIterations ?? 100;
  if (!(max >= 0))
    throw new ValidationError(`loop: maxIterations must be >= 0, got ${max}`, {
      issues: [{ path: 'maxIterations', message: 'must be >= 0' }],
    });
  const { while: whileCond, until } = options;
  return makeStep(options.name ?? 'loop', async (input: T, ctx: TaskScope) => {
    let value = input;
    let iteration = 0;
    if (ctx.core.on && Number.isFinite(max))
      ctx.emit({ kind: 'task.progress', expectedSubtasks: Math.ceil(max) });
    for (;;) {
      if (whileCond && !(await whileCond(value, { iteration, ctx }))) return value;
      if (iteration >= max) break;
      const kid = ctx.child({ ...compiled, name: `${compiled.name} #${iteration + 1}` });
      ctx.core.created(kid, false);
      value = await exec(compiled, value, kid);
      iteration += 1;
      if (until && (await until(value, { iteration, ctx }))) return value;
    }
    // Without a condition, maxIterations is simply the count; with one, reaching it is worth a warning.
    if (whileCond || until)
      ctx.emit({
        kind: 'task.log',
        level: 'warn',
        message: `loop '${ctx.name}' stopped at maxIterations (${max})`,
      });
    return value;
  });
}
