import { ValidationError } from '@troupe/core';
import { draftWithRepairs, type PlanningCall } from './draftWithRepairs.js';
import { type ExecutorInfo, type Plan, PlanSchema } from './plan.js';
import { plannerSystem, planRequest } from './prompts.js';
import { validatePlan } from './validatePlan.js';

/** Options of {@link createPlan}. */
export interface CreatePlanOptions extends PlanningCall {
  /** Who can do the work; sub-tasks may only name these. */
  executors: readonly ExecutorInfo[];
  /** Most sub-tasks allowed (default 30). */
  maxSubtasks?: number;
  /** More instructions for the planner (appended to its system prompt). */
  instructions?: string;
}

/**
 * Decomposes a goal into a validated {@link Plan}: the model drafts it as
 * structured output; `validatePlan` checks the graph (unique ids, known
 * executors, existing dependencies, no self-dependency, no cycle); a draft
 * with problems goes back to the model with the exact errors, up to
 * `maxRepairs` times. Throws `PlanError` when no draft passes,
 * `ValidationError` without executors, or the model's own error.
 * @example
 * const plan = await createPlan({ goal: 'Write a report on X' }, { model, executors: [{ name: 'researcher' }, { name: 'writer' }] });
 */
export async function createPlan(
  request: { goal: string; context?: string },
  options: CreatePlanOptions,
): Promise<Plan> {
  const names = executorNames(options.executors);
  const plan = await draftWithRepairs<Plan>(
    options,
    [
      { role: 'system', content: plannerSystem(options.executors, options.instructions) },
      { role: 'user', content: planRequest(request.goal, request.context) },
    ],
    (draft) => {
      const issues = validatePlan(draft, { executors: names, maxSubtasks: options.maxSubtasks ?? 30 });
      return issues.length
        ? { issues }
        : { issues, value: PlanSchema.parse({ goal: request.goal, ...draft }) };
    },
  );
  options.progress?.emit({
    kind: 'task.log',
    level: 'info',
    message: `plan: ${plan.subtasks.map((t) => `${t.id} (${t.executor})`).join(', ')}`,
    ...(options.agent === undefined ? {} : { agent: options.agent }),
  });
  return plan;
}

/** The executor names, or `ValidationError` when there are none. */
export function executorNames(executors: readonly ExecutorInfo[]): string[] {
  if (executors.length === 0) {
    throw new ValidationError('a planner needs at least one executor', {
      issues: [{ path: 'executors', message: 'no executors' }],
    });
  }
  return executors.map((e) => e.name);
}
