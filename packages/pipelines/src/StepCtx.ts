import { LazyAbort, newId, type ProgressInput } from '@troupe/core';
import type { z } from 'zod';
import { exec } from './exec.js';
import type { RunScope, StepLike, SuspendOptions, TaskScope } from './scope.js';
import { toStep } from './step.js';

/**
 * The context of one step in one run. Its task id is made on first use, so a
 * run nobody watches never pays for ids.
 */
export class StepCtx implements TaskScope {
  readonly core: RunScope;
  readonly #signal: AbortSignal | LazyAbort;
  readonly parent: TaskScope | undefined;
  readonly name: string;
  readonly agent: string | undefined;
  attempt = 1;
  openSlot = -1;
  runSlot = -1;
  #taskId: string | undefined;
  /** The context this one is another view of (same task, other signal). */
  readonly #same: StepCtx | undefined;

  constructor(
    core: RunScope,
    signal: AbortSignal | LazyAbort,
    parent: TaskScope | undefined,
    step: { readonly name: string; readonly agent?: string | undefined; readonly id?: string | undefined },
    same?: StepCtx,
  ) {
    this.core = core;
    this.#signal = signal;
    this.parent = parent;
    this.name = step.name;
    this.agent = step.agent;
    this.#same = same;
    this.#taskId = step.id;
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

  /** Whether the task's terminal event went out (shared by every view of the task). */
  get ended(): boolean {
    return this.#same ? this.#same.ended : this.#ended;
  }

  set ended(value: boolean) {
    if (this.#same) this.#same.ended = value;
    else this.#ended = value;
  }
  #ended = false;

  whenResumed(): Promise<void> {
    return this.core.gate.pass(this.signal);
  }

  emit(event: ProgressInput): void {
    this.core.emitFor(this, event);
  }

  suspend<S extends z.ZodType>(options: SuspendOptions<S>): Promise<z.output<S>> {
    return this.core.suspend(this, options.question, options.schema) as Promise<z.output<S>>;
  }

  run<I, O>(step: StepLike<I, O>, input: I): Promise<O> {
    const s = toStep(step);
    return exec(s, input, this.child(s));
  }

  child(
    step: { readonly name: string; readonly agent?: string | undefined; readonly id?: string | undefined },
    signal = this.signal,
  ): StepCtx {
    return new StepCtx(this.core, signal, this, step);
  }

  withSignal(signal: AbortSignal | LazyAbort): StepCtx {
    const ctx = new StepCtx(this.core, signal, this.parent, this, this);
    ctx.attempt = this.attempt;
    return ctx;
  }
}
