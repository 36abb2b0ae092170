import { type AgentDef, defineAgent, defineMessage, on } from '@troupe/core';
import { z } from 'zod';
import { PlanSchema, SubTaskSchema } from '../planner/plan.js';
import { type Route, route, type StrategyOptions } from './route.js';

/** Asks a strategy where one sub-task runs; `executors` overrides the registered set. */
export const RouteRequest = defineMessage(
  'strategy.route',
  z.object({ subtask: SubTaskSchema, executors: z.array(z.string()).min(1).optional() }),
);

/** Asks a strategy to route every sub-task of a plan, in plan order. */
export const RoutePlanRequest = defineMessage(
  'strategy.routePlan',
  z.object({ plan: PlanSchema, executors: z.array(z.string()).min(1).optional() }),
);

/** Options of {@link strategyAgent}: the routing options, and the agent type (default `strategy`). */
export interface StrategyAgentOptions extends StrategyOptions {
  type?: string;
}

/** What a strategy answers. */
export type StrategyProtocol = {
  'strategy.route': { payload: ReturnType<typeof RouteRequest.parsePayload>; reply: Route };
  'strategy.routePlan': { payload: ReturnType<typeof RoutePlanRequest.parsePayload>; reply: Route[] };
};

/**
 * The Strategy as an agent: `strategy.route` → a `Route` for one sub-task,
 * `strategy.routePlan` → one per sub-task (see `route`): rules first (first
 * match wins), then the model within its allowed set, then the plan's
 * executor; each choice explained in a `task.log` line; never an
 * unregistered executor (`RoutingError`, code `ROUTE_UNREGISTERED_EXECUTOR`).
 * @example
 * await runtime.register(strategyAgent({ executors: ['coder', 'writer'], rules: [{ name: 'code', when: { tags: ['code'] }, use: { executor: 'coder', model: 'anthropic:claude-sonnet-4-6' } }] }));
 */
export function strategyAgent(options: StrategyAgentOptions): AgentDef<string, StrategyProtocol> {
  const { type, ...routing } = options;
  return defineAgent({
    type: type ?? 'strategy',
    handles: {
      [RouteRequest.type]: on(RouteRequest, (request, ctx) =>
        route(request.subtask, {
          ...routing,
          executors: request.executors ?? routing.executors,
          signal: ctx.signal,
          progress: ctx,
        }),
      ),
      [RoutePlanRequest.type]: on(RoutePlanRequest, async (request, ctx) => {
        const routes: Route[] = [];
        for (const subtask of request.plan.subtasks) {
          routes.push(
            await route(subtask, {
              ...routing,
              executors: request.executors ?? routing.executors,
              signal: ctx.signal,
              progress: ctx,
            }),
          );
        }
        return routes;
      }),
    },
  });
}
