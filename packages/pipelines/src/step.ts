import type { ProgressInput } from '@troupe/core';
import type { BackoffOptions } from './retry.js';
import type { StepCtx } from './StepCtx.js';

/** What every step receives besides its input. */
export interface StepContext {
  /** Aborted when the run is cancelled or times out, or a failFast sibling failed. */
  readonly signal: AbortSignal;
  /** The run this step belongs to. */
  readonly runId: string;
  /** This step's task id (the parent of anything it runs or asks). */
  readonly taskId: string;
  /** The enclosing task. */
  readonly parentId: string | undefined;
  /** The attempt running now, starting at 1. */
  readonly attempt: number;
  /** Whether the run is paused: a long step that supports pausing waits for {@link whenResumed}. */
  readonly paused: boolean;
  /** Resolves when the run is no longer paused (at once if it is not). */
  whenResumed(): Promise<void>;
  /** Emits a progress event for this step (run, task, parent and time are filled in). */
  emit(event: ProgressInput): void;
  /** Runs another step as a child of this one (progress, pause and cancel included). */
  run<I, O>(step: StepLike<I, O>, input: I): Promise<O>;
}

/** A step as a plain function: `(input, ctx) => output`. */
export type StepFn<I, O> = (input: I, ctx: StepContext) => O | PromiseLike<O>;

/** Retries and timeout applied around every attempt of a step. */
export interface StepPolicy {
  /** Extra attempts after the first, only for retryable errors (default 0). */
  retries?: number;
  /** Ms each attempt may take before it fails with `TimeoutError`. */
  timeout?: number;
  /** Backoff between attempts (exponential with jitter). */
  backoff?: BackoffOptions;
}

/** Options of {@link step}. */
export interface StepOptions extends StepPolicy {
  /** Name shown in progress (default: the function's name). */
  name?: string;
}

/** Brand of compiled steps. */
export const STEP: unique symbol = Symbol.for('troupe.step');

/** A compiled step: what combinators build and accept. Make one with {@link step}, {@link agentStep} or a combinator. */
export interface Step<I, O> {
  readonly [STEP]: true;
  /** Name shown in progress. */
  readonly name: string;
  /** Agent doing the work, for progress. */
  readonly agent: string | undefined;
  /** Retries and timeout handled around `run`. */
  readonly policy: StepPolicy | undefined;
  /** @internal Runs once (one attempt); `ctx` is this step's own context. */
  readonly run: (input: I, ctx: StepCtx) => Promise<O>;
}

/** Anything a combinator accepts as a step: a compiled step or a plain function. */
export type StepLike<I, O> = Step<I, O> | StepFn<I, O>;

/** Any step, whatever its types. */
export type AnyStep = Step<never, unknown> | StepFn<never, unknown>;

/** The input type of a step. */
export type InputOf<S> =
  S extends Step<infer I, unknown> ? I : S extends StepFn<infer I, unknown> ? I : never;

/** The output type of a step. */
export type OutputOf<S> =
  S extends Step<never, infer O> ? O : S extends (input: never, ctx: never) => infer R ? Awaited<R> : never;

/** Whether a value is a compiled step. */
export function isStep(value: unknown): value is Step<unknown, unknown> {
  return typeof value === 'object' && value !== null && STEP in value;
}

/**
 * A named step from a function, optionally with retries and a timeout.
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

/** @internal Builds a step object. */
export function makeStep<I, O>(
  name: string,
  run: (input: I, ctx: StepCtx) => Promise<O>,
  extra: { agent?: string | undefined; policy?: StepPolicy | undefined } = {},
): Step<I, O> {
  return { [STEP]: true, name, agent: extra.agent, policy: extra.policy, run };
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
