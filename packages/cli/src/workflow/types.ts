import type { ChatModel } from '@troupe/agents';
import type { Runtime, Store } from '@troupe/core';
import type { RunHandle, RunOptions } from '@troupe/pipelines';

/** What `troupe run ./workflow.ts` hands a workflow function. */
export interface WorkflowContext {
  /** The run id (the same on `--resume`). */
  readonly runId: string;
  /** The run's name (`--name`, else the module's file name). */
  readonly name: string;
  /** True when this start continues an interrupted run (`troupe run --resume`). */
  readonly resuming: boolean;
  /** The runtime: in process, or on NATS with `--nats` (its agents' progress joins the run's). */
  readonly runtime: Runtime;
  /** The run's own store (a FileStore under `--store`): checkpoints written here survive a crash. */
  readonly store: Store;
  /** The model `--model` names (`provider:model`), else the default: scripted without a key. */
  readonly model: ChatModel;
  /** `--max-concurrency`, when given. */
  readonly maxConcurrency: number | undefined;
  /** `--budget-tokens` (tokens) and `--budget-usd` (USD), when given; the CLI also stops a run past them. */
  readonly budget: { readonly tokens?: number; readonly costUsd?: number };
  /** `--input` parsed as JSON (else undefined): the input of an exported step. */
  readonly input: unknown;
  /** Aborted when the run is cancelled (Ctrl-C, `troupe cancel`, the budget). */
  readonly signal: AbortSignal;
  /** What to pass to pipelines' `run(step, input, options)` so the CLI sees and controls the run. */
  readonly runOptions: RunOptions & { runId: string; name: string; runtime: Runtime; signal: AbortSignal };
}

/** A workflow: starts a run and returns its handle (pipelines' `run(…)`, or `orchestrate(…)`). */
export type Workflow = (ctx: WorkflowContext) => RunHandle<unknown> | Promise<RunHandle<unknown>>;

/**
 * Types a workflow module's default export for `troupe run`; returns `fn` unchanged.
 * @example
 * export default defineWorkflow((ctx) => run(sequential([fetch, summarize]), ctx.input, ctx.runOptions));
 */
export function defineWorkflow(fn: Workflow): Workflow {
  return fn;
}
