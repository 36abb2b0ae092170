import { copyValue } from '@troupe/core';
import {
  STEP,
  type Step,
  type StepContext,
  type StepFn,
  type StepLike,
  type StepPolicy,
  type TaskScope,
} from './scope.js';

/** Options of {@link step}. */
export interface StepOptions extends StepPolicy {
  /** Name shown in progress (default: the function's name). */
  name?: string;
}

/** Whether a value is a compiled step. */
export function isStep(value: unknown): value is Step<unknown, unknown> {
  return typeof value === 'object' && value !== null && STEP in value;
}

/**
 * A named step from a function, optionally with retries and a timeout (each attempt's, counted
 * from when that attempt starts).
 * @example
 * const fetchPage = step(async (url: string, ctx) => (await fetch(url, { signal: ctx.signal })).text(), {
 *   name: 'fetch', retries: 3, timeout: 10_000,
 * });
 */
export function step<I, O>(fn: StepFn<I, O>, options: StepOptions = {}): Step<I, O> {
  const { name, ...policy } = options;
  return makeStep(name ?? (fn.name || 'step'), (input, ctx) => callFn(fn, input, ctx), {
    policy: hasPolicy(policy) ? policy : undefined,
  });
}

/** Compiles anything step-like. */
export function toStep<I, O>(value: StepLike<I, O>): Step<I, O> {
  if (typeof value === 'function') {
    return makeStep(value.name || 'step', (input, ctx) => callFn(value, input, ctx));
  }
  return value;
}

/**
 * @internal The same step, run on its own copy of its input (each attempt a fresh one): what a
 * fan-out gives each branch, so that branches never share a mutable input with each other or
 * with the caller, as over NATS. Frozen inputs are shared (see `copyValue` in `@troupe/core`).
 */
export function ownInput<I, O>(step: Step<I, O>, fanOut: string): Step<I, O> {
  const run = step.run;
  return {
    ...step,
    run: (input, ctx) => {
      let own: I;
      try {
        own = copyValue(input, `${fanOut} input of step '${step.name}'`);
      } catch (err) {
        return Promise.reject(err);
      }
      return run(own, ctx);
    },
  };
}

/** @internal Builds a step object. */
export function makeStep<I, O>(
  name: string,
  run: (input: I, ctx: TaskScope) => Promise<O>,
  extra: { agent?: string | undefined; policy?: StepPolicy | undefined; id?: string | undefined } = {},
): Step<I, O> {
  const step: Step<I, O> = { [STEP]: true, name, agent: extra.agent, policy: extra.policy, run };
  if (extra.id !== undefined) return { ...step, id: extra.id };
  return step;
}

function callFn<I, O>(fn: StepFn<I, O>, input: I, ctx: StepContext): Promise<O> {
  try {
    return Promise.resolve(fn(input, ctx));
  } catch (err) {
    return Promise.reject(err);
  }
}

function hasPolicy(p: StepPolicy): boolean {
  return (p.retries ?? 0) > 0 || p.timeout !== undefined;
}
