import { ValidationError, type ValidationIssue } from '@troupe/core';
import { executorNames } from './createPlan.js';
import { draftWithRepairs, type PlanningCall } from './draftWithRepairs.js';
import { type ExecutorInfo, type Plan, type PlanDraft, type SubTask, SubTaskSchema } from './plan.js';
import { brief, plannerSystem } from './prompts.js';
import { dependentsOf, validatePlan } from './validatePlan.js';

/** What went wrong and what is done: the failed sub-tasks (with why) and the results of finished ones. */
export interface ReplanOutcome {
  /** Ids of failed sub-tasks, or `{ id, error }`. */
  failed: ReadonlyArray<string | { id: string; error?: string | undefined }>;
  /** Results of finished sub-tasks by id: they are kept as they are. */
  results?: Readonly<Record<string, unknown>>;
}

/** The revised plan, and which sub-tasks were kept, revised (new or changed) and dropped. */
export interface ReplanResult {
  plan: Plan;
  kept: string[];
  revised: string[];
  dropped: string[];
}

/** Options of {@link replan}. */
export interface ReplanOptions extends PlanningCall {
  executors: readonly ExecutorInfo[];
  /** Most sub-tasks in the revised plan (default 30). */
  maxSubtasks?: number;
  /** More instructions for the planner. */
  instructions?: string;
  /** Background for the model (what the run is about, constraints). */
  context?: string;
}

/**
 * Revises a plan after failures: only the failed sub-tasks and those that
 * depend on them (directly or not) go back to the model; every other
 * sub-task, finished or not, is kept exactly. The model answers with the
 * revised and new sub-tasks only, which may depend on kept ones; the merged
 * plan is validated like a new one (a kept id may not be redefined), with
 * repairs, then `PlanError`. Throws `ValidationError` when a failed id is
 * not in the plan or is also listed as finished.
 */
export async function replan(
  plan: Plan,
  outcome: ReplanOutcome,
  options: ReplanOptions,
): Promise<ReplanResult> {
  const names = executorNames(options.executors);
  const failed = new Map(
    outcome.failed.map((f) => (typeof f === 'string' ? [f, undefined] : [f.id, f.error])),
  );
  const results = outcome.results ?? {};
  checkOutcome(plan, failed, results);
  const affected = dependentsOf(
    plan.subtasks.filter((t) => !(t.id in results) || failed.has(t.id)),
    failed.keys(),
  );
  const kept = plan.subtasks.filter((t) => !affected.has(t.id));
  const keptIds = new Set(kept.map((t) => t.id));
  const revise = plan.subtasks.filter((t) => affected.has(t.id));
  const prompt = [
    `Goal: ${plan.goal}`,
    options.context ? `Context:\n${options.context}` : '',
    `The current plan:\n${JSON.stringify({ subtasks: plan.subtasks })}`,
    `Finished sub-tasks (kept as they are) and their results:\n${list(
      kept.filter((t) => t.id in results),
      (t) => brief(results[t.id]),
    )}`,
    `Failed sub-tasks:\n${list(
      revise.filter((t) => failed.has(t.id)),
      (t) => failed.get(t.id) ?? 'failed',
    )}`,
    `Revise only these sub-tasks: ${revise.map((t) => t.id).join(', ')} (the failed ones and those that depend on them).`,
    'Answer with JSON {"subtasks": [...]} holding only the revised and new sub-tasks: you may change, split, replace or drop them.',
    `Do not repeat kept sub-tasks (${[...keptIds].join(', ') || 'none'}); new sub-tasks may depend on them.`,
  ].filter(Boolean);
  const merged = await draftWithRepairs<Plan>(
    options,
    [
      { role: 'system', content: plannerSystem(options.executors, options.instructions) },
      { role: 'user', content: prompt.join('\n\n') },
    ],
    (draft) =>
      checkRevision(draft, kept, keptIds, { goal: plan.goal, names, maxSubtasks: options.maxSubtasks }),
  );
  const revisedIds = merged.subtasks.filter((t) => !keptIds.has(t.id)).map((t) => t.id);
  const result: ReplanResult = {
    plan: merged,
    kept: [...keptIds],
    revised: revisedIds,
    dropped: revise.map((t) => t.id).filter((id) => !revisedIds.includes(id)),
  };
  options.progress?.emit({
    kind: 'task.log',
    level: 'info',
    message: `replan: kept ${result.kept.join(', ') || 'none'}; revised ${result.revised.join(', ')}${result.dropped.length ? `; dropped ${result.dropped.join(', ')}` : ''}`,
    ...(options.agent === undefined ? {} : { agent: options.agent }),
  });
  return result;
}

function checkOutcome(
  plan: Plan,
  failed: ReadonlyMap<string, string | undefined>,
  results: Readonly<Record<string, unknown>>,
): void {
  const ids = new Set(plan.subtasks.map((t) => t.id));
  const issues: ValidationIssue[] = [];
  for (const id of failed.keys()) {
    if (!ids.has(id)) issues.push({ path: `failed.${id}`, message: `'${id}' is not in the plan` });
    if (id in results)
      issues.push({ path: `results.${id}`, message: `'${id}' is listed as failed and finished` });
  }
  if (failed.size === 0)
    issues.push({ path: 'failed', message: 'nothing failed: there is nothing to replan' });
  if (issues.length > 0) {
    throw new ValidationError(`cannot replan: ${issues.map((i) => i.message).join('; ')}`, { issues });
  }
}

function checkRevision(
  draft: PlanDraft,
  kept: readonly SubTask[],
  keptIds: ReadonlySet<string>,
  options: { goal: string; names: string[]; maxSubtasks: number | undefined },
): { issues: ValidationIssue[]; value?: Plan } {
  const issues: ValidationIssue[] = [];
  if (draft.subtasks.length === 0) {
    issues.push({
      path: 'subtasks',
      message: 'no revised sub-tasks: the failed work must be redone or replaced',
    });
  }
  draft.subtasks.forEach((t, i) => {
    if (keptIds.has(t.id)) {
      issues.push({
        path: `subtasks.${i}.id`,
        message: `'${t.id}' is a kept sub-task and cannot be redefined`,
      });
    }
  });
  const revised = draft.subtasks.filter((t) => !keptIds.has(t.id)).map((t) => SubTaskSchema.parse(t));
  const merged = [...kept, ...revised];
  // Paths of the merged plan: kept sub-tasks first, so shift the revised ones back to the draft's indices.
  for (const issue of validatePlan(
    { subtasks: merged },
    { executors: options.names, maxSubtasks: options.maxSubtasks ?? 30 },
  )) {
    const at = /^subtasks\.(\d+)(.*)$/.exec(issue.path);
    if (at && Number(at[1]) >= kept.length) {
      issue.path = `subtasks.${Number(at[1]) - kept.length}${at[2]}`;
    } else if (at) issue.path = `kept.${kept[Number(at[1])]!.id}${at[2]}`;
    issues.push(issue);
  }
  return issues.length ? { issues } : { issues, value: { goal: options.goal, subtasks: merged } };
}

function list(tasks: readonly SubTask[], detail: (t: SubTask) => string): string {
  return tasks.length ? tasks.map((t) => `- ${t.id} (${t.name}): ${detail(t)}`).join('\n') : '(none)';
}
