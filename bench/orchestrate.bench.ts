/**
 * pnpm bench:orchestrate (node --expose-gc, from source) — orchestrate(goal) on a 200-sub-task
 * plan (10 layers of 20, each needing two of the layer before) whose executor is a ReAct agent
 * on a zero-latency ScriptedModel (one model call per sub-task). What orchestration costs per
 * sub-task — planning and routing asks, the DAG, progress, accounting, the journal — beside the
 * same DAG run directly by `dag` on the same agent (the floor), and LangGraph.js running the same
 * plan as a graph whose nodes do the same work (a ReAct run on the same scripted model). The work
 * alone (the 200 ReAct runs in dependency order, nothing else) is subtracted from each.
 */
import { plannerAgent, ReActRun, reactAgent, runReAct, ScriptedModel, strategyAgent } from '@troupe/agents';
import { createRuntime, MemoryStore } from '@troupe/core';
import { agentStep, dag, orchestrate, run } from '@troupe/pipelines';
import { langGraphPlan } from './orchestrate/langgraph.js';
import { benchPlan, LAYERS, WIDTH } from './orchestrate/plan.js';
import { best, printTable, type Row } from './table.js';

// LangGraph.js adds an abort listener per node to one signal and trips Node's MaxListenersExceededWarning;
// count those instead of printing hundreds of lines.
let lgWarnings = 0;
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') lgWarnings += 1;
  else console.warn(w);
});

const PLAN = benchPlan();
const N = PLAN.subtasks.length;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const workerModel = () => new ScriptedModel({ script: () => ({ text: 'ok' }), record: false });

await using runtime = createRuntime();
await runtime.register(
  plannerAgent({
    model: new ScriptedModel({ script: () => ({ output: PLAN }), record: false }),
    maxSubtasks: N,
  }),
);
await runtime.register(strategyAgent({ executors: ['worker'], defaults: { retries: 0 } }));
await runtime.register(reactAgent({ type: 'worker', model: workerModel() }), { instances: 8 });

/** Ms of one call of `fn`, best of RUNS after a warm-up. */
async function msOf(fn: () => Promise<unknown>): Promise<number> {
  return (
    1000 /
    (await best(RUNS, async () => {
      const t0 = performance.now();
      await fn();
      return 1000 / (performance.now() - t0);
    }))
  );
}

// The work alone: the 200 ReAct runs, each layer's at once, in dependency order.
const model = workerModel();
const work = (id: string) => runReAct({ task: id }, { model });
const workMs = await msOf(async () => {
  for (let layer = 0; layer < LAYERS; layer++) {
    await Promise.all(PLAN.subtasks.slice(layer * WIDTH, (layer + 1) * WIDTH).map((t) => work(t.id)));
  }
});

const executors = [{ name: 'worker', description: 'does one step' }];
const orchestrated = (store?: MemoryStore) =>
  orchestrate('run the 200-step benchmark plan', {
    runtime,
    executors,
    maxConcurrency: Number.POSITIVE_INFINITY,
    ...(store ? { store } : {}),
  }).result.then((report) => {
    if (report.status !== 'completed') throw new Error(`orchestrate: ${report.status}`);
  });
const orchestrateMs = await msOf(() => orchestrated());
const journaledMs = await msOf(() => orchestrated(new MemoryStore()));

// The floor: the same DAG of asks to the same agent, run directly.
const worker = runtime.ref({ type: 'worker' });
const direct = dag(
  Object.fromEntries(
    PLAN.subtasks.map((t) => [
      t.id,
      {
        deps: t.dependencies,
        step: agentStep(worker, () => ReActRun.create({ task: t.id }), { name: t.id }),
      },
    ]),
  ),
);
const dagMs = await msOf(() => run(direct, undefined as never).result);
const watchedDagMs = await msOf(() => {
  const handle = run(direct, undefined as never);
  handle.progress$.subscribe();
  return handle.result;
});

// LangGraph.js: the same plan as a graph, each node doing the same ReAct run.
const graph = langGraphPlan(PLAN, work);
const langGraphMs = await msOf(() => graph.invoke({}, { recursionLimit: LAYERS + 5 }));

const per = (ms: number) => `${(((ms - workMs) / N) * 1000).toFixed(0)} µs/sub-task`;
const ratio = (a: number, b: number) => `${((a - workMs) / (b - workMs)).toFixed(2)}×`;
const rows: Row[] = [
  {
    name: `orchestrate, ${N} sub-tasks`,
    value: per(orchestrateMs),
    floor: `${per(dagMs)} dag of asks`,
    ratio: ratio(orchestrateMs, dagMs),
    note: `${orchestrateMs.toFixed(0)} ms a run (plan + route + run + report)`,
  },
  {
    name: 'orchestrate + journal (MemoryStore)',
    value: per(journaledMs),
    floor: `${per(watchedDagMs)} dag of asks, watched`,
    ratio: ratio(journaledMs, watchedDagMs),
    note: `${journaledMs.toFixed(0)} ms a run; every event and result written`,
  },
  {
    name: 'orchestrate vs LangGraph.js',
    value: per(orchestrateMs),
    floor: `${per(langGraphMs)} LangGraph.js graph`,
    ratio: ratio(orchestrateMs, langGraphMs),
    note: `${langGraphMs.toFixed(0)} ms a LangGraph.js invoke (${lgWarnings} MaxListenersExceededWarnings)`,
  },
  {
    name: 'the work alone',
    value: `${((workMs / N) * 1000).toFixed(0)} µs/sub-task`,
    floor: '',
    ratio: '',
    note: `${workMs.toFixed(0)} ms: ${N} ReAct runs on a zero-latency ScriptedModel, subtracted above`,
  },
];
printTable(
  `bench:orchestrate — Node ${process.version}; a ${N}-sub-task plan (${LAYERS} layers of ${WIDTH}), best of ${RUNS}; overhead = (run − work alone) ÷ ${N}`,
  rows,
);
