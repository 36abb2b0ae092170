import { createModel, type PlannerProtocol, PlanRequest, plannerAgent } from '@troupe/agents';
import { createRuntime } from '@troupe/core';

const step = (id: string, executor: string, dependencies: string[], estimatedSeconds: number) => ({
  id,
  name: id,
  description: `${id} for the launch post`,
  executor,
  expectedOutput: `${id} notes`,
  estimatedSeconds,
  dependencies,
  tags: [executor],
});

export async function main(env: Record<string, string | undefined> = process.env) {
  const model = createModel(undefined, {
    env,
    scripted: {
      script: [
        // A first draft with a cycle: it goes back to the model with the exact error, and is repaired.
        {
          output: {
            subtasks: [
              step('research', 'researcher', ['draft'], 120),
              step('draft', 'writer', ['research'], 300),
            ],
          },
        },
        {
          output: {
            subtasks: [step('research', 'researcher', [], 120), step('draft', 'writer', ['research'], 300)],
          },
        },
      ],
    },
  });
  await using runtime = createRuntime();
  await runtime.register(
    plannerAgent({
      model,
      executors: [
        { name: 'researcher', description: 'finds facts on the web' },
        { name: 'writer', description: 'writes and edits prose' },
      ],
    }),
  );
  const plan = await runtime
    .ref<PlannerProtocol>({ type: 'planner' })
    .ask(PlanRequest.create({ goal: 'Write the launch post for Troupe 1.0' }), { timeout: 120_000 });
  // A validated DAG: unique ids, known executors, existing dependencies, no cycle (else a PlanError).
  return plan.subtasks.map((t) => `${t.id} (${t.executor}) after [${t.dependencies.join(', ')}]`);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
