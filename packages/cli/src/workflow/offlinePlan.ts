import { type ChatModel, type PlanDraft, ScriptedModel } from '@troupe/agents';

/**
 * The plan a goal run gets with the scripted model (no `--model`, no key): three researchers on
 * aspects of the goal, in parallel, then a writer combining their notes. The real Planner agent
 * handles it (validation, progress, the journal) as it would a model's plan, so `troupe run "…"`
 * shows a whole orchestrated run offline.
 */
export function offlinePlan(goal: string): PlanDraft {
  const aspects = ['background', 'current approaches', 'open problems'];
  const research = aspects.map((aspect, i) => ({
    id: `research-${i + 1}`,
    name: `research ${aspect}`,
    description: `Find and summarize the ${aspect} of: ${goal}`,
    executor: 'researcher',
    expectedOutput: `notes on the ${aspect}`,
    estimatedSeconds: 20,
    dependencies: [],
    tags: ['research'],
  }));
  return {
    subtasks: [
      ...research,
      {
        id: 'report',
        name: 'write the report',
        description: `Write a short report on: ${goal}, from the research notes`,
        executor: 'writer',
        expectedOutput: 'a report in Markdown',
        estimatedSeconds: 30,
        dependencies: research.map((r) => r.id),
        tags: ['writing'],
      },
    ],
  };
}

/** The Planner's model: the scripted model answering with {@link offlinePlan} (`model` otherwise). */
export function plannerModel(model: ChatModel, goal: string): ChatModel {
  if (model.provider !== 'scripted') return model;
  return new ScriptedModel({ name: model.name, script: [{ output: offlinePlan(goal) }] });
}

/** The executors' model: with the scripted model, one that takes a moment per answer, so a live view has something to show. */
export function executorModel(model: ChatModel): ChatModel {
  if (model.provider !== 'scripted') return model;
  return new ScriptedModel({ name: model.name, latencyMs: [800, 2_500], seed: 7 });
}
