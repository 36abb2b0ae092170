import { z } from 'zod';

/**
 * One step of a plan (the design note's `SubTask`): who does it
 * (`executor`, an agent type), what it must produce, how long it should
 * take (seconds), and which sub-tasks' results it needs first.
 */
export const SubTaskSchema = z.object({
  /** Unique in the plan; `[A-Za-z0-9_.:-]`, at most 64 characters. */
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  /** The executor (agent type) that runs it. */
  executor: z.string().min(1),
  /** What it must produce. */
  expectedOutput: z.string(),
  /** The planner's estimate of its duration, seconds. */
  estimatedSeconds: z.number().nonnegative(),
  /** Ids of the sub-tasks whose results it needs. */
  dependencies: z.array(z.string()).default([]),
  /** Free labels a strategy's rules can match on (`code`, `review`, …). */
  tags: z.array(z.string()).default([]),
});

/** A plan: the goal and its sub-tasks, a DAG by `dependencies` (see `validatePlan`). */
export const PlanSchema = z.object({
  goal: z.string(),
  subtasks: z.array(SubTaskSchema),
});

/** One sub-task of a {@link Plan}. */
export type SubTask = z.output<typeof SubTaskSchema>;
/** A plan (see {@link PlanSchema}). */
export type Plan = z.output<typeof PlanSchema>;

/** What the model writes: every field required (so OpenAI's strict mode can take it), no goal. */
export const PlanDraftSchema = z.object({
  subtasks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      executor: z.string(),
      expectedOutput: z.string(),
      estimatedSeconds: z.number(),
      dependencies: z.array(z.string()),
      tags: z.array(z.string()),
    }),
  ),
});

/** A plan as the model wrote it. */
export type PlanDraft = z.output<typeof PlanDraftSchema>;

/** An executor a planner may assign work to: its agent type and what it is good at. */
export const ExecutorInfoSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
});

/** An executor a planner may assign work to. */
export type ExecutorInfo = z.input<typeof ExecutorInfoSchema>;
