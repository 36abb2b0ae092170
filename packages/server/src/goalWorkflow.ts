import {
  type ChatModel,
  type PlanDraft,
  plannerAgent,
  reactAgent,
  ScriptedModel,
  strategyAgent,
} from '@troupe/agents';
import { type ExecutorSpec, orchestrate } from '@troupe/pipelines';
import type { GoalWorkflow } from './workflow.js';

const EXECUTORS: readonly ExecutorSpec[] = [
  { name: 'researcher', description: 'finds and summarizes what is known about a topic' },
  { name: 'writer', description: 'writes, edits and combines text into a report' },
];

/** The scripted model's plan: two researchers in parallel, then a writer (so an offline server shows a whole run). */
function offlinePlan(goal: string): PlanDraft {
  const aspects = ['background', 'open problems'];
  const research = aspects.map((aspect, i) => ({
    id: `research-${i + 1}`,
    name: `research ${aspect}`,
    description: `Find and summarize the ${aspect} of: ${goal}`,
    executor: 'researcher',
    expectedOutput: `notes on the ${aspect}`,
    estimatedSeconds: 10,
    dependencies: [],
    tags: ['research'],
  }));
  const report = {
    id: 'report',
    name: 'write the report',
    description: `Write a short report on: ${goal}`,
    executor: 'writer',
    expectedOutput: 'a report in Markdown',
    estimatedSeconds: 10,
    dependencies: research.map((r) => r.id),
    tags: ['writing'],
  };
  return { subtasks: [...research, report] };
}

function scripted(model: ChatModel): boolean {
  return model.provider === 'scripted';
}

/**
 * The server's default way to run a goal: a Planner, a Strategy and two ReAct executors
 * (`researcher`, `writer`) on the run's model in the run's runtime, then `orchestrate(goal, …)`
 * journaled to the run's store. With the scripted model (no key) the Planner answers with a fixed
 * three-step plan and the executors take a moment per answer. `troupe serve` passes the CLI's own
 * goal workflow instead (the same as `troupe run "<goal>"`).
 */
export const defaultGoalWorkflow: GoalWorkflow = async (goal, ctx) => {
  const { runtime, model } = ctx;
  const planner = scripted(model)
    ? new ScriptedModel({ name: model.name, script: [{ output: offlinePlan(goal) }] })
    : model;
  const executor = scripted(model)
    ? new ScriptedModel({ name: model.name, latencyMs: [50, 300], seed: 7 })
    : model;
  await runtime.register(plannerAgent({ model: planner }));
  await runtime.register(strategyAgent({ executors: EXECUTORS.map((e) => e.name) }));
  for (const e of EXECUTORS) {
    await runtime.register(reactAgent({ type: e.name, name: e.name, model: executor }), { instances: 3 });
  }
  const { budget, maxConcurrency } = ctx.options;
  return orchestrate(goal, {
    runtime,
    store: ctx.store,
    executors: EXECUTORS,
    signal: ctx.signal,
    runId: ctx.runId,
    name: ctx.name,
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    ...(budget === undefined ? {} : { budget: budgetOf(budget) }),
  });
};

function budgetOf(b: { tokens?: number | undefined; costUsd?: number | undefined }): {
  tokens?: number;
  costUsd?: number;
} {
  return {
    ...(b.tokens === undefined ? {} : { tokens: b.tokens }),
    ...(b.costUsd === undefined ? {} : { costUsd: b.costUsd }),
  };
}
