/** The client side of a planned run: plan, route, then run the sub-tasks as their dependencies finish. */

import {
  type Plan,
  type PlannerProtocol,
  PlanRequest,
  type ReActOutcome,
  ReActRun,
  type Route,
  RoutePlanRequest,
  type StrategyProtocol,
} from '@troupe/agents';
import type { Runtime } from '@troupe/core';
import { EXECUTORS } from '../fixtures/team.js';

export interface Driven {
  plan: Plan;
  routes: Route[];
  results: Record<string, ReActOutcome>;
}

export async function drive(client: Runtime, goal: string, runId: string): Promise<Driven> {
  const plan = await client
    .ref<PlannerProtocol>({ type: 'planner' })
    .ask(PlanRequest.create({ goal, executors: EXECUTORS }), {
      runId,
      timeout: 30_000,
    });
  const routes = await client
    .ref<StrategyProtocol>({ type: 'strategy' })
    .ask(RoutePlanRequest.create({ plan }), { runId, timeout: 30_000 });
  const routeOf = new Map(routes.map((r) => [r.subtaskId, r]));
  const results: Record<string, ReActOutcome> = {};
  let pending = plan.subtasks;
  while (pending.length > 0) {
    const ready = pending.filter((t) => t.dependencies.every((d) => d in results));
    if (ready.length === 0) throw new Error('the plan is stuck');
    await Promise.all(
      ready.map(async (t) => {
        const context = t.dependencies
          .map((d) => `${d}: ${(results[d] as { answer?: string }).answer ?? ''}`)
          .join('\n');
        const route = routeOf.get(t.id)!;
        results[t.id] = (await client
          .ref({ type: route.executor })
          .ask(ReActRun.create({ task: t.description, ...(context ? { context } : {}) }), {
            runId,
            taskId: t.id,
            timeout: route.timeout,
          })) as ReActOutcome;
      }),
    );
    pending = pending.filter((t) => !ready.includes(t));
  }
  return { plan, routes, results };
}
