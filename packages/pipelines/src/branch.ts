import { ValidationError } from '@troupe/core';
import { exec } from './exec.js';
import type { OutputOf, Step, StepContext, StepLike, TaskScope } from './scope.js';
import { makeStep, toStep } from './step.js';

/** A predicate over a step's input. */
export type Condition<I> = (input: I, ctx: StepContext) => boolean | PromiseLike<boolean>;

/**
 * Runs `then` when `condition` holds, else `otherwise` (or passes the input
 * through when there is none).
 * @example
 * const review = ifElse((draft: string) => draft.length > 10_000, summarizeFirst, reviewDirectly);
 */
export function ifElse<I, A, B = I>(
  condition: Condition<I>,
  then: StepLike<I, A>,
  otherwise?: StepLike<I, B>,
): Step<I, A | B> {
  const yes = toStep(then);
  const no = otherwise === undefined ? undefined : toStep(otherwise);
  return makeStep('ifElse', async (input: I, ctx: TaskScope): Promise<A | B> => {
    if (await condition(input, ctx)) return exec(yes, input, ctx.child(yes));
    if (no === undefined) return input as unknown as B;
    return exec(no, input, ctx.child(no));
  });
}

/** Options of {@link switchCase}. */
export interface SwitchOptions<I, D> {
  /** Runs when the selected key has no case (without it, an unknown key is a `ValidationError`). */
  default?: StepLike<I, D>;
  /** Name shown in progress (default `switch`). */
  name?: string;
}

/**
 * Runs the case `select` picks (the default, or a `ValidationError`, for a key with no case).
 * @example
 * const route = switchCase((task: Task) => task.kind, { code: coder, prose: writer }, { default: generalist });
 */
export function switchCase<I, const C extends Record<string, StepLike<I, unknown>>, D = never>(
  select: (input: I, ctx: StepContext) => string | PromiseLike<string>,
  cases: C,
  options: SwitchOptions<I, D> = {},
): Step<I, OutputOf<C[keyof C]> | D> {
  const compiled = new Map<string, Step<I, unknown>>();
  for (const [key, value] of Object.entries(cases)) compiled.set(key, toStep(value as StepLike<I, unknown>));
  const fallback = options.default === undefined ? undefined : toStep(options.default);
  return makeStep(options.name ?? 'switch', async (input: I, ctx: TaskScope) => {
    const key = String(await select(input, ctx));
    const chosen = compiled.get(key) ?? fallback;
    if (chosen === undefined) {
      throw new ValidationError(`switchCase '${ctx.name}': no case '${key}' and no default`, {
        issues: [
          { path: 'case', message: `unknown case '${key}' (cases: ${[...compiled.keys()].join(', ')})` },
        ],
      });
    }
    return (await exec(chosen, input, ctx.child(chosen))) as OutputOf<C[keyof C]> | D;
  });
}
