import { plannerAgent, reactAgent, strategyAgent } from '@troupe/agents';
import { type ExecutorSpec, orchestrate, resumeRun } from '@troupe/pipelines';
import { executorModel, plannerModel } from './offlinePlan.js';
import type { Workflow, WorkflowContext } from './types.js';

/** The executors a goal run has when no workflow brings its own: two ReAct agents on `--model`. */
export const GOAL_EXECUTORS: readonly ExecutorSpec[] = [
  { name: 'researcher', description: 'finds and summarizes what is known about a topic' },
  { name: 'writer', description: 'writes, edits and combines text into a report' },
];

/**
 * The workflow of `troupe run "<goal>"`: a Planner, a Strategy and the {@link GOAL_EXECUTORS} (ReAct
 * agents) on the run's model, registered in the run's runtime, then `orchestrate(goal, …)` (plan →
 * route → execute → re-plan → report) journaled to the run's store; on `--resume`, `resumeRun`
 * continues from that journal without redoing finished sub-tasks. With `--nats` the agents still
 * run here; host them on `troupe worker`s by running a workflow module instead.
 */
export function goalWorkflow(goal: string): Workflow {
  return async (ctx: WorkflowContext) => {
    const { runtime, model } = ctx;
    await runtime.register(plannerAgent({ model: plannerModel(model, goal) }));
    await runtime.register(strategyAgent({ executors: GOAL_EXECUTORS.map((e) => e.name) }));
    const instances = Number.isFinite(ctx.maxConcurrency) ? (ctx.maxConcurrency ?? 3) : 3;
    for (const e of GOAL_EXECUTORS) {
      await runtime.register(reactAgent({ type: e.name, name: e.name, model: executorModel(model) }), {
        instances,
      });
    }
    const { runId, name, signal } = ctx.runOptions;
    const options = {
      runtime,
      store: ctx.store,
      executors: GOAL_EXECUTORS,
      signal,
      name,
      ...(ctx.maxConcurrency === undefined ? {} : { maxConcurrency: ctx.maxConcurrency }),
      budget: ctx.budget,
    };
    return ctx.resuming ? resumeRun({ ...options, runId }) : orchestrate(goal, { ...options, runId });
  };
}
