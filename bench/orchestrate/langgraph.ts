/** The benchmark's plan as a LangGraph.js graph: a node per sub-task, an edge from each of its dependencies. */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import type { PlanDraft } from '@troupe/agents';

const State = Annotation.Root({
  results: Annotation<Record<string, unknown>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
});

/** Compiles `plan` to a graph whose node `id` runs `work(id)` once its dependencies ran. */
export function langGraphPlan(
  plan: PlanDraft,
  work: (id: string) => Promise<unknown>,
): { invoke(input: Record<string, never>, options: { recursionLimit: number }): Promise<unknown> } {
  const graph = new StateGraph(State);
  // biome-ignore lint/suspicious/noExplicitAny: node names are dynamic, which LangGraph's typed builder cannot express
  const g = graph as any;
  const hasDependents = new Set(plan.subtasks.flatMap((t) => t.dependencies));
  for (const t of plan.subtasks) g.addNode(t.id, async () => ({ results: { [t.id]: await work(t.id) } }));
  for (const t of plan.subtasks) {
    if (t.dependencies.length === 0) g.addEdge(START, t.id);
    else g.addEdge(t.dependencies, t.id);
    if (!hasDependents.has(t.id)) g.addEdge(t.id, END);
  }
  return g.compile();
}
