/** The benchmark's plan: 200 sub-tasks in 10 layers of 20, each (past the first layer) needing two of the layer before. */
import type { PlanDraft } from '@troupe/agents';

export const LAYERS = 10;
export const WIDTH = 20;

export function benchPlan(): PlanDraft {
  const id = (layer: number, i: number) => `t${layer}-${i}`;
  const subtasks: PlanDraft['subtasks'] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      subtasks.push({
        id: id(layer, i),
        name: id(layer, i),
        description: `step ${i} of layer ${layer}`,
        executor: 'worker',
        expectedOutput: 'ok',
        estimatedSeconds: 1,
        dependencies: layer === 0 ? [] : [id(layer - 1, i), id(layer - 1, (i + 1) % WIDTH)],
        tags: [],
      });
    }
  }
  return { subtasks };
}
