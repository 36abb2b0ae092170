import { LazyAbort, newId, type ProgressInput } from '@troupe/core';
import { exec } from './exec.js';
import type { RunScope } from './RunCore.js';
import { type Step, type StepContext, type StepLike, toStep } from './step.js';

/**
 * The context of one step in one run. Its task id is made on first use, so a
 * run nobody watches never pays for ids.
 */
export class StepCtx implements StepContext {
  readonly core: RunScope;
  readonly #signal: AbortSignal | LazyAbort;
  readonly parent: StepCtx | undefined;
  readonly name: string;
  readonly agent: string | undefined;
  attempt = 1;
  #taskId: string | undefined;
  /** The context this one is another view of (same task, other signal). */
  readonly #same: StepCtx | undefined;

  constructor(
    core: RunScope,
    signal: AbortSignal | LazyAbort,
    parent: StepCtx | undefined,
    step: { readonly name: string; readonly agent?: string | undefined },
    same?: StepCtx,
  ) {
    this.core = core;
    this.#signal = signal;
    this.parent = parent;
    this.name = step.name;
    this.agent = step.agent;
    this.#same = same;
  }

  get signal(): AbortSignal {
    const s = this.#signal;
    return s instanceof LazyAbort ? s.signal : s;
  }

  get taskId(): string {
    this.#taskId ??= this.#same ? this.#same.taskId : newId();
    return this.#taskId;
  }

  get parentId(): string | undefined {
    return this.parent ? this.parent.taskId : this.core.parentOfTop;
  }

  get runId(): string {
    return this.core.runId;
  }

  get paused(): boolean {
    return this.core.gate.closed;
  }

  whenResumed(): Promise<void> {
    return this.core.gate.pass(this.signal);
  }

  emit(event: ProgressInput): void {
    this.core.emitFor(this, event);
  }

  run<I, O>(step: StepLike<I, O>, input: I): Promise<O> {
    const s = toStep(step);
    return exec(s, input, this.child(s));
  }

  /** A context for a child step (same signal unless given). */
  child(step: Step<never, unknown>, signal: AbortSignal = this.signal): StepCtx {
    return new StepCtx(this.core, signal, this, step);
  }

  /** This same task seen through another signal (one attempt under a timeout). */
  withSignal(signal: AbortSignal | LazyAbort): StepCtx {
    const ctx = new StepCtx(this.core, signal, this.parent, this, this);
    ctx.attempt = this.attempt;
    return ctx;
  }
}
