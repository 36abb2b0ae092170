import { type Plan, type PlanDraft, PlanError, PlanSchema, validatePlan } from '@troupe/agents';
import { readJournal } from './journal.js';
import { OrchestrateRun } from './OrchestrateRun.js';
import type { OrchestrateHandle, OrchestrateOptions, ResumeOptions } from './types.js';

/**
 * The main job: give it a goal and the agents, and it plans, routes, executes and re-plans until
 * the goal is done or provably stuck. The Planner makes a plan (`planning`), the Strategy routes
 * each sub-task to an executor and model, a DAG runs the sub-tasks on the executors as their
 * dependencies finish (`executing`), failed branches are re-planned (up to `maxReplans`), and
 * `result` resolves with the report: per sub-task result, who did it, tokens, cost, duration,
 * failures and what is left undone. A budget reached ends the run with a partial report.
 * With a `store`, every event and every finished sub-task is journaled: `resumeRun` continues the
 * run after a crash without redoing finished work, `replayRun` rebuilds its progress. The same
 * call works with the agents in process or on NATS workers. Throws `ValidationError` for no
 * executors or a bad `maxConcurrency`; `result` rejects with `CancelledError` when cancelled, or
 * with the Planner's error (`PlanError`) when no plan could be made.
 * @example
 * const handle = orchestrate('A brief on the climates of Oslo and Rome', {
 *   runtime, executors: [{ name: 'researcher', description: 'finds facts' }, { name: 'writer', description: 'writes prose' }],
 *   store: await FileStore.open({ dir: '.troupe' }), budget: { tokens: 200_000 },
 * });
 * trackProgress(handle.progress$).subscribe((p) => console.log(p.status, p.overallProgress));
 * const report = await handle.result;
 */
export function orchestrate(goal: string, options: OrchestrateOptions): OrchestrateHandle {
  const plan = options.plan === undefined ? undefined : checkedPlan(goal, options);
  return new OrchestrateRun(
    options,
    plan === undefined ? { kind: 'new', goal } : { kind: 'new', goal, plan },
  );
}

/** A plan given in code, checked like a drafted one (`PlanError` with its issues). */
function checkedPlan(goal: string, options: OrchestrateOptions): Plan {
  const names = options.executors.map((e) => (typeof e === 'string' ? e : e.name));
  const draft = options.plan as PlanDraft;
  const plan = PlanSchema.parse({ goal, subtasks: draft.subtasks });
  const issues = validatePlan(plan, { executors: names });
  if (issues.length > 0) {
    throw new PlanError(`the plan given to orchestrate is not valid: ${issues[0]?.message}`, {
      issues,
      attempts: 0,
    });
  }
  return plan;
}

/**
 * Continues a journaled run (after a crash, `kill -9`, a cancel or a budget stop) with the same
 * agents: sub-tasks the journal holds as finished are not run again, answers given to suspended
 * tasks are kept, cards the dead session left open end `cancelled`. `progress$` first replays the
 * journal's events, so the live snapshot covers the whole run. `result` rejects with
 * `UnknownRunError` when the store has no such run.
 * @example
 * const handle = resumeRun({ runId, store, runtime, executors });
 * const report = await handle.result; // report.subtasks[i].fromJournal marks work not redone
 */
export function resumeRun(options: ResumeOptions): OrchestrateHandle {
  return new OrchestrateRun(options, {
    kind: 'resume',
    load: () => readJournal(options.store, options.runId),
  });
}
