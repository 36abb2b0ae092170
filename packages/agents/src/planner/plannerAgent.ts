import { type AgentDef, defineAgent, defineMessage, type HandlerContext, on } from '@troupe/core';
import { z } from 'zod';
import type { ChatModel } from '../model/types.js';
import { createPlan } from './createPlan.js';
import { type ExecutorInfo, ExecutorInfoSchema, type Plan, PlanSchema } from './plan.js';
import { type ReplanResult, replan } from './replan.js';

/** Asks a planner for a plan of `goal`; `executors` overrides the planner's own list. */
export const PlanRequest = defineMessage(
  'planner.plan',
  z.object({
    goal: z.string().min(1),
    context: z.string().optional(),
    executors: z.array(ExecutorInfoSchema).min(1).optional(),
  }),
);

/** Asks a planner to revise `plan` after failures, keeping finished work (see `replan`). */
export const ReplanRequest = defineMessage(
  'planner.replan',
  z.object({
    plan: PlanSchema,
    failed: z.array(z.union([z.string(), z.object({ id: z.string(), error: z.string().optional() })])).min(1),
    results: z.record(z.string(), z.unknown()).optional(),
    context: z.string().optional(),
    executors: z.array(ExecutorInfoSchema).min(1).optional(),
  }),
);

/** Options of {@link plannerAgent}. */
export interface PlannerAgentOptions {
  model: ChatModel;
  /** Who can do the work, unless a request names its own. */
  executors?: readonly ExecutorInfo[];
  /** The agent type (default `planner`). */
  type?: string;
  /** Repair rounds after an invalid draft (default 2); then `PlanError`. */
  maxRepairs?: number;
  /** Most sub-tasks per plan (default 30). */
  maxSubtasks?: number;
  /** More instructions for the planner. */
  instructions?: string;
  /** Passed to the model as `agent`. */
  name?: string;
  temperature?: number;
}

/** What a planner answers. */
export type PlannerProtocol = {
  'planner.plan': { payload: ReturnType<typeof PlanRequest.parsePayload>; reply: Plan };
  'planner.replan': { payload: ReturnType<typeof ReplanRequest.parsePayload>; reply: ReplanResult };
};

/**
 * The Planner as an agent: `planner.plan` → a validated `Plan` (see
 * `createPlan`), `planner.replan` → the revised plan (see `replan`). An
 * invalid draft is repaired with the model or rejected with `PlanError`
 * (code `PLAN_INVALID`, `data.issues`) before anyone dispatches anything.
 * @example
 * await runtime.register(plannerAgent({ model, executors: [{ name: 'researcher', description: 'finds facts' }] }));
 * const plan = await runtime.ref({ type: 'planner' }).ask(PlanRequest.create({ goal: 'A report on X' }));
 */
export function plannerAgent(options: PlannerAgentOptions): AgentDef<string, PlannerProtocol> {
  const common = (ctx: HandlerContext) => ({
    model: options.model,
    signal: ctx.signal,
    progress: ctx,
    ...(options.maxRepairs === undefined ? {} : { maxRepairs: options.maxRepairs }),
    ...(options.maxSubtasks === undefined ? {} : { maxSubtasks: options.maxSubtasks }),
    ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
    ...(options.name === undefined ? {} : { agent: options.name }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
  });
  return defineAgent({
    type: options.type ?? 'planner',
    handles: {
      [PlanRequest.type]: on(PlanRequest, (request, ctx) =>
        createPlan(
          { goal: request.goal, ...(request.context === undefined ? {} : { context: request.context }) },
          { ...common(ctx), executors: request.executors ?? options.executors ?? [] },
        ),
      ),
      [ReplanRequest.type]: on(ReplanRequest, (request, ctx) =>
        replan(
          request.plan,
          { failed: request.failed, ...(request.results === undefined ? {} : { results: request.results }) },
          {
            ...common(ctx),
            executors: request.executors ?? options.executors ?? [],
            ...(request.context === undefined ? {} : { context: request.context }),
          },
        ),
      ),
    },
  });
}
