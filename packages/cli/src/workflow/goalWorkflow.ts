import * as pipelines from '@troupe/pipelines';
import { NoOrchestrateError } from '../errors.js';
import type { Workflow } from './types.js';

/**
 * The workflow of `troupe run "<goal>"`: `orchestrate(goal, …)` from @troupe/pipelines (plan, route,
 * execute, re-plan, report) with the run's runtime, store, model, concurrency and budget. Throws
 * {@link NoOrchestrateError} when the installed @troupe/pipelines has no `orchestrate`.
 */
export function goalWorkflow(goal: string): Workflow {
  const orchestrate = (pipelines as Record<string, unknown>).orchestrate;
  if (typeof orchestrate !== 'function') throw new NoOrchestrateError();
  return (ctx) =>
    (orchestrate as (goal: string, options: Record<string, unknown>) => ReturnType<Workflow>)(goal, {
      ...ctx.runOptions,
      store: ctx.store,
      model: ctx.model,
      resume: ctx.resuming,
      ...(ctx.maxConcurrency === undefined ? {} : { maxConcurrency: ctx.maxConcurrency }),
      budget: ctx.budget,
    });
}
