/**
 * pnpm bench:agents — the cost of a ReAct step (one model call + one tool
 * call) on a zero-latency ScriptedModel: the bare loop (`runReAct`), the
 * loop as an agent (`reactAgent`, one ask per run, with and without a
 * progress subscriber), beside the floor (a plain `for` loop calling the same
 * scripted function and tool) and LangGraph.js's prebuilt `createReactAgent`
 * with a fake chat model doing the same steps; then 1,000 keyed agents with
 * memory, each running a 5-step ReAct run at once.
 */

import {
  type ReActOutcome,
  ReActRun,
  reactAgent,
  runReAct,
  ScriptedModel,
  type ScriptedReply,
  tool,
} from '@troupe/agents';
import { createRuntime } from '@troupe/core';
import { z } from 'zod';
import { langGraphReAct } from './agents/langgraph.js';
import { best, opsPerSec, printTable, type Row } from './table.js';

const STEPS = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 2_000);
const LG_RUNS = Number(process.env.BENCH_LG_RUNS ?? 100);
const FAN = 1_000;
const FAN_STEPS = 5;

/** The scripted model's turn: one `step` call until `steps` results are in (after the last task), then the answer. */
function responder(steps: number) {
  return (request: { messages: ReadonlyArray<{ role: string }> }): ScriptedReply => {
    let done = 0;
    for (let i = request.messages.length - 1; i >= 0 && request.messages[i]!.role !== 'user'; i--) {
      if (request.messages[i]!.role === 'tool') done++;
    }
    return done < steps ? { toolCalls: [{ name: 'step', arguments: { n: done } }] } : { text: 'done' };
  };
}
const run = ({ n }: { n: number }) => n + 1;
const stepTool = tool({
  name: 'step',
  description: 'One step of work',
  input: z.object({ n: z.number() }),
  run,
});
const task = { task: 'Take the steps.' };

// Floor: the same scripted function and tool in a plain loop (no engine, no validation, no events).
const script = responder(STEPS);
const floor = await best(5, () =>
  opsPerSec(RUNS * STEPS, async () => {
    for (let r = 0; r < RUNS; r++) {
      const messages: Array<{ role: string; content: string }> = [{ role: 'user', content: task.task }];
      for (;;) {
        const reply = await script({ messages });
        if (!reply.toolCalls) break;
        for (const call of reply.toolCalls) {
          const out = await run(JSON.parse(JSON.stringify(call.arguments)) as { n: number });
          messages.push({ role: 'assistant', content: '' }, { role: 'tool', content: String(out) });
        }
      }
    }
  }),
);

// The bare loop.
// No request copies: the scripted model stands in for a server, its bookkeeping is not the agent's cost.
const model = new ScriptedModel({ script: responder(STEPS), record: false });
const loop = await best(5, () =>
  opsPerSec(RUNS * STEPS, async () => {
    for (let r = 0; r < RUNS; r++) await runReAct(task, { model, tools: [stepTool] });
  }),
);

// As an agent, one ask per run.
await using runtime = createRuntime();
await runtime.register(reactAgent({ type: 'stepper', model, tools: [stepTool] }));
const stepper = runtime.ref({ type: 'stepper' });
const viaAgent = () =>
  opsPerSec(RUNS * STEPS, async () => {
    for (let r = 0; r < RUNS; r++) await stepper.ask(ReActRun.create(task));
  });
const agent = await best(5, viaAgent);
let events = 0;
const watching = runtime.progress$.subscribe(() => events++);
const observed = await best(5, viaAgent);
watching.unsubscribe();

// LangGraph.js's prebuilt ReAct agent, same steps.
const lg = langGraphReAct(STEPS);
const lgRate = await best(2, () =>
  opsPerSec(LG_RUNS * STEPS, async () => {
    for (let r = 0; r < LG_RUNS; r++) await lg.invoke({ messages: [{ role: 'user', content: task.task }] });
  }),
);

// 1,000 keyed agents with memory, each running a 5-step ReAct run, all at once.
const fanModel = new ScriptedModel({ script: responder(FAN_STEPS), record: false });
await runtime.register(
  reactAgent({ type: 'member', model: fanModel, tools: [stepTool], memory: { maxTokens: 8_000 } }),
);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let fanMs = Number.POSITIVE_INFINITY;
let outcomes: ReActOutcome[] = [];
for (let round = 0; round < 3; round++) {
  const start = performance.now();
  outcomes = (await Promise.all(
    Array.from({ length: FAN }, (_, i) =>
      runtime.ref({ type: 'member', key: `m${i}` }).ask(ReActRun.create(task), { timeout: 120_000 }),
    ),
  )) as ReActOutcome[];
  fanMs = Math.min(fanMs, performance.now() - start);
}
global.gc?.();
// What the 1,000 instances and their conversations (3 runs each, kept in memory) hold.
const heapAfter = process.memoryUsage().heapUsed;
if (!outcomes.every((o) => o.status === 'completed' && o.toolCalls === FAN_STEPS))
  throw new Error('a fan-out run did not complete');

const us = (perSec: number) => `${(1e6 / perSec).toFixed(2)} µs/step`;
const x = (a: number, b: number) => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;
const rows: Row[] = [
  {
    name: `runReAct, ${STEPS}-step runs`,
    value: us(loop),
    floor: `${us(lgRate)} LangGraph.js`,
    ratio: x(loop, lgRate),
    note: 'goal ≥ 20×',
  },
  {
    name: `runReAct, ${STEPS}-step runs`,
    value: us(loop),
    floor: `${us(floor)} plain for loop`,
    ratio: x(loop, floor),
    note: 'floor: same script function and tool',
  },
  {
    name: 'reactAgent (ask per run)',
    value: us(agent),
    floor: `${us(lgRate)} LangGraph.js`,
    ratio: x(agent, lgRate),
    note: 'goal ≥ 20×',
  },
  {
    name: 'reactAgent, progress$ watched',
    value: us(observed),
    floor: `${us(lgRate)} LangGraph.js`,
    ratio: x(observed, lgRate),
    note: `${Math.round(events / (6 * RUNS * STEPS))} events/step built`,
  },
  {
    name: `fan-out ${FAN.toLocaleString('en-US')} agents × ${FAN_STEPS}-step runs`,
    value: `${fanMs.toFixed(0)} ms`,
    floor: '',
    ratio: '',
    note: `${((fanMs * 1000) / (FAN * FAN_STEPS)).toFixed(2)} µs/step, memory per agent; heap +${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB held`,
  },
];
printTable(
  `bench:agents — Node ${process.version}; zero-latency ScriptedModel; ${RUNS} runs per measure, best of 5 (LangGraph.js: ${LG_RUNS} runs, best of 2); a step = one model call + one tool call (the final answer's call included in the run's time)`,
  rows,
);
