/** The same shapes in LangGraph.js, for side-by-side numbers. */
import { Annotation, END, Send, START, StateGraph } from '@langchain/langgraph';

const Chain = Annotation.Root({ n: Annotation<number>() });

/** A graph of `length` no-op nodes in a row. */
export function langGraphChain(length: number): { invoke(input: { n: number }): Promise<{ n: number }> } {
  const graph = new StateGraph(Chain);
  const names = Array.from({ length }, (_, i) => `s${i}`);
  for (const name of names) graph.addNode(name, (s: { n: number }) => ({ n: s.n }));
  // biome-ignore lint/suspicious/noExplicitAny: node names are dynamic, which LangGraph's typed builder cannot express
  const g = graph as any;
  g.addEdge(START, names[0]);
  for (let i = 0; i + 1 < names.length; i++) g.addEdge(names[i], names[i + 1]);
  g.addEdge(names.at(-1), END);
  return g.compile();
}

const FanState = Annotation.Root({
  width: Annotation<number>(),
  results: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  total: Annotation<number>(),
});

/** A graph that fans out to `width` no-op nodes with `Send`, then joins. */
export function langGraphFanOut(): { invoke(input: { width: number }): Promise<{ total: number }> } {
  return new StateGraph(FanState)
    .addNode('work', (s: { i: number }) => ({ results: [s.i] }))
    .addNode('join', (s) => ({ total: s.results.reduce((a, b) => a + b, 0) }))
    .addConditionalEdges(START, (s) => Array.from({ length: s.width }, (_, i) => new Send('work', { i })), [
      'work',
    ])
    .addEdge('work', 'join')
    .addEdge('join', END)
    .compile();
}
