import type { LazyAbort, OutcomeEvent, ProgressEvent, ProgressInput, Runtime } from '@troupe/core';
import type { Observable } from 'rxjs';
import type { z } from 'zod';
import type { Gate } from './Gate.js';
import type { BackoffOptions } from './retry.js';
import type { Suspension } from './Suspensions.js';

/**
 * The contracts between a run, its steps and the code that runs them, in one place that imports
 * nothing of this package's runtime code: the run (`RunCore`), a step's context (`StepCtx`),
 * `exec` and every combinator depend on these types, never on each other in a circle.
 */

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
  /**
   * Suspends this step with a question until `handle.resume(taskId, answer)` answers it, and
   * returns the answer parsed by `schema`; its siblings keep running meanwhile. A step that asks
   * the same question again (a retry, or a run resumed from its journal) gets the answer at once.
   * Rejects with the signal's reason when the run is cancelled first.
   */
  suspend<S extends z.ZodType>(options: SuspendOptions<S>): Promise<z.output<S>>;
}

/** Options of {@link StepContext.suspend}. */
export interface SuspendOptions<S extends z.ZodType> {
  /** What to ask, shown on the task's card. */
  question: string;
  /** The answer's schema: an answer that does not parse is refused with a `ValidationError` naming the field. */
  schema: S;
}

/** A step as a plain function: `(input, ctx) => output`. */
export type StepFn<I, O> = (input: I, ctx: StepContext) => O | PromiseLike<O>;

/** Retries and timeout applied around every attempt of a step. */
export interface StepPolicy {
  /** Extra attempts after the first, only for retryable errors (default 0). */
  retries?: number;
  /** Ms each attempt may take before it fails with `TimeoutError`, counted from the attempt's start. */
  timeout?: number;
  /** Backoff between attempts (exponential with jitter). */
  backoff?: BackoffOptions;
}

/** Brand of compiled steps. */
export const STEP: unique symbol = Symbol.for('troupe.step');

/** A compiled step: what combinators build and accept. Make one with `step`, `agentStep` or a combinator. */
export interface Step<I, O> {
  readonly [STEP]: true;
  /** Name shown in progress. */
  readonly name: string;
  /** Agent doing the work, for progress. */
  readonly agent: string | undefined;
  /** Retries and timeout handled around `run`. */
  readonly policy: StepPolicy | undefined;
  /** The task id of its card (default: a new one each time it runs); only for a step that runs once per run. */
  readonly id?: string | undefined;
  /** @internal Runs once (one attempt); `ctx` is this step's own context. */
  readonly run: (input: I, ctx: TaskScope) => Promise<O>;
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

/** What a run needs from a runtime: somewhere to emit progress (and, for TaskGroup agents, refs). */
export type RuntimeLike = Pick<Runtime, 'emit' | 'progress$' | 'ref'> & { readonly wantsProgress?: boolean };

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
  /**
   * Answers the question of a suspended task (`taskId`: its task id, or the question's key) and
   * lets that task alone continue: rejects with `ValidationError` (naming the field) when the
   * answer does not fit the question's schema, `NotSuspendedError` when nothing waits there.
   */
  resume(taskId: string, answer: unknown): Promise<void>;
  /** The questions suspended tasks wait on now, oldest first. */
  readonly suspended: readonly Suspension[];
  /** Aborts every running step's signal and rejects `result` with `CancelledError(reason)`. */
  cancel(reason?: string): void;
}

/** @internal One task of a run as the code running it sees it (a step's own context). */
export interface TaskScope extends StepContext {
  /** The run it belongs to. */
  readonly core: RunScope;
  readonly name: string;
  readonly agent: string | undefined;
  /** The attempt running now (exec counts it up when a retry starts). */
  attempt: number;
  /** Whether its terminal event went out (it is never sent twice). */
  ended: boolean;
  /** Its slots in its run's lists of open and of running tasks (-1: not in it). */
  openSlot: number;
  runSlot: number;
  /** A context for a child step (same signal unless given). */
  child(
    step: { readonly name: string; readonly agent?: string | undefined; readonly id?: string | undefined },
    signal?: AbortSignal,
  ): TaskScope;
  /** This same task seen through another signal (one attempt under a timeout). */
  withSignal(signal: AbortSignal | LazyAbort): TaskScope;
}

/** @internal What the tasks of a run share: ids, signal, pause gate, and the progress they report. */
export interface RunScope {
  readonly runId: string;
  readonly runtime: RuntimeLike | undefined;
  readonly gate: Gate;
  readonly signal: AbortSignal;
  /** Whether anyone can see progress (skip building events otherwise). */
  readonly on: boolean;
  /** The task id the top step's card hangs under (the run's own). */
  readonly parentOfTop: string;
  /**
   * Announces a task before it runs (pending, or queued when it must wait for a slot or a resume),
   * with the task ids of the tasks it waits for, if any.
   */
  created(task: TaskScope, queued: boolean, dependsOn?: readonly string[]): void;
  /** Reports that an attempt of `task` starts (it is paused and resumed with the run from now on). */
  started(task: TaskScope): void;
  /** Reports how `task` ended, once; later calls for it are ignored. */
  ended(task: TaskScope, outcome: OutcomeEvent): void;
  /** Emits a progress event for `task`, filling run, task, parent, agent and time. */
  emitFor(task: TaskScope, input: ProgressInput): void;
  /** Suspends `task` with a question (see {@link StepContext.suspend}). */
  suspend(task: TaskScope, question: string, schema: z.ZodType): Promise<unknown>;
}
