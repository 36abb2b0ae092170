import {
  type Plan,
  type PlannerProtocol,
  PlanRequest,
  ReplanRequest,
  type ReplanResult,
  type Route,
  RoutePlanRequest,
  type StrategyProtocol,
  type SubTask,
} from '@troupe/agents';
import type { AgentTarget, AskOptions } from '@troupe/core';
import type { TaskScope } from '../scope.js';
import type { Executor } from './executors.js';
import type { OrchestrateRuntime } from './types.js';

/** Who plans and routes, and how long each ask may take. */
export interface Planning {
  runtime: OrchestrateRuntime;
  planner: AgentTarget;
  strategy: AgentTarget;
  executors: ReadonlyMap<string, Executor>;
  timeout: number;
  context: string | undefined;
}

function ask(ctx: TaskScope, timeout: number): AskOptions {
  return { signal: ctx.signal, timeout, runId: ctx.runId, parentId: ctx.taskId };
}

function infos(p: Planning) {
  return [...p.executors.values()].map((e) => e.info);
}

/** Asks the Planner for a plan of `goal` (its ask is a child of `ctx`'s card). */
export function askPlan(p: Planning, goal: string, ctx: TaskScope): Promise<Plan> {
  const request: Parameters<typeof PlanRequest.create>[0] = { goal, executors: infos(p) };
  if (p.context !== undefined) request.context = p.context;
  return p.runtime.ref<PlannerProtocol>(p.planner).ask(PlanRequest.create(request), ask(ctx, p.timeout));
}

/** Asks the Planner to revise the failed branches of `plan`, keeping finished work. */
export function askReplan(
  p: Planning,
  plan: Plan,
  failed: Array<{ id: string; error?: string }>,
  results: Record<string, unknown>,
  ctx: TaskScope,
): Promise<ReplanResult> {
  const request: Parameters<typeof ReplanRequest.create>[0] = {
    plan,
    failed,
    results,
    executors: infos(p),
  };
  if (p.context !== undefined) request.context = p.context;
  return p.runtime.ref<PlannerProtocol>(p.planner).ask(ReplanRequest.create(request), ask(ctx, p.timeout));
}

/** Asks the Strategy to route `subtasks` (in one ask), among the executors given. */
export async function askRoutes(
  p: Planning,
  goal: string,
  subtasks: SubTask[],
  ctx: TaskScope,
): Promise<Route[]> {
  if (subtasks.length === 0) return [];
  return p.runtime
    .ref<StrategyProtocol>(p.strategy)
    .ask(
      RoutePlanRequest.create({ plan: { goal, subtasks }, executors: [...p.executors.keys()] }),
      ask(ctx, p.timeout),
    );
}
