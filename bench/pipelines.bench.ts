/**
 * pnpm bench:pipelines (node --expose-gc, from source) — Troupe pipelines on
 * real agent asks (in-process runtime) beside LangGraph.js and the
 * plain-promise floor: (a) 10 sequential no-op steps, (b) a 1000-way fan-out
 * and join, (c) a fan-out sweep 10 → 100,000.
 */
import { createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { agentStep, parallel, run, sequential } from '@troupe/pipelines';
import { z } from 'zod';
import { langGraphChain, langGraphFanOut } from './pipelines/langgraph.js';
import { best, opsPerSec, printTable, type Row, rate } from './table.js';

const INVOKES = Number(process.env.BENCH_INVOKES ?? 1000);
const FAN = 1000;
const FAN_RUNS = 10;
const SWEEP = [10, 100, 1_000, 10_000, 100_000];
const LANGGRAPH_SWEEP_MAX = Number(process.env.BENCH_LANGGRAPH_MAX ?? 1000);
// LangGraph.js takes milliseconds per invoke here, so it runs fewer invokes (its rate is per invoke all the same).
const LG_INVOKES = Number(process.env.BENCH_LG_INVOKES ?? 200);
const LG_FAN_RUNS = 3;

// LangGraph.js adds an abort listener per node to one signal and trips Node's MaxListenersExceededWarning;
// count those (per peer) instead of printing thousands of lines.
const warnings = { troupe: 0, langgraph: 0 };
let measuring: keyof typeof warnings = 'troupe';
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') warnings[measuring] += 1;
  else console.warn(w);
});
async function peer<T>(fn: () => Promise<T>): Promise<T> {
  measuring = 'langgraph';
  try {
    return await fn();
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    measuring = 'troupe';
  }
}

const Noop = defineMessage('bench.noop', z.object({ n: z.number() }));
const NoopAgent = defineAgent({ type: 'bench.noop', handles: { [Noop.type]: on(Noop, ({ n }) => n) } });

await using runtime = createRuntime();
await runtime.register(NoopAgent);
const noop = agentStep(runtime.ref(NoopAgent), (n: number) => Noop.create({ n }));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fanOutOf = (width: number) =>
  sequential([
    parallel(
      Array.from({ length: width }, () => noop),
      { failFast: true },
    ),
    sum,
  ]);
const plainNoop = async (n: number) => n;
const plainFanOut = async (width: number) =>
  sum(await Promise.all(Array.from({ length: width }, (_, i) => plainNoop(i))));

// (a) 10 sequential no-op agent steps, invoked INVOKES times.
const chain = sequential(Array.from({ length: 10 }, () => noop));
const troupeA = await best(5, () =>
  opsPerSec(INVOKES, async () => {
    for (let i = 0; i < INVOKES; i++) await run(chain, i).result;
  }),
);
const lgChain = langGraphChain(10);
const lgA = await peer(() =>
  best(1, () =>
    opsPerSec(LG_INVOKES, async () => {
      for (let i = 0; i < LG_INVOKES; i++) await lgChain.invoke({ n: i });
    }),
  ),
);
const plainA = await best(5, () =>
  opsPerSec(INVOKES, async () => {
    for (let i = 0; i < INVOKES; i++) {
      let n = i;
      for (let k = 0; k < 10; k++) n = await plainNoop(n);
    }
  }),
);

// (b) fan-out to FAN no-op agent steps + join, FAN_RUNS times.
const fan = fanOutOf(FAN);
const troupeB = await best(5, () =>
  opsPerSec(FAN_RUNS, async () => {
    for (let i = 0; i < FAN_RUNS; i++) await run(fan, i).result;
  }),
);
const lgFan = langGraphFanOut();
const lgB = await peer(() =>
  best(1, () =>
    opsPerSec(LG_FAN_RUNS, async () => {
      for (let i = 0; i < LG_FAN_RUNS; i++) await lgFan.invoke({ width: FAN });
    }),
  ),
);
const plainB = await best(5, () =>
  opsPerSec(FAN_RUNS, async () => {
    for (let i = 0; i < FAN_RUNS; i++) await plainFanOut(FAN);
  }),
);

// (c) how one fan-out + join grows with its width.
async function msPerFanOut(
  width: number,
  once: () => Promise<unknown>,
  runs = 3,
  budget = 20_000,
): Promise<number> {
  const times = Math.max(1, Math.min(200, Math.floor(budget / width)));
  const perSec = await best(runs, () =>
    opsPerSec(times, async () => {
      for (let i = 0; i < times; i++) await once();
    }),
  );
  return 1000 / perSec;
}
const sweep: Array<{ width: number; troupe: number; plain: number; lg: number | undefined }> = [];
for (const width of SWEEP) {
  const step = fanOutOf(width);
  global.gc?.();
  const troupe = await msPerFanOut(width, () => run(step, 0).result);
  const plain = await msPerFanOut(width, () => plainFanOut(width));
  const lg =
    width <= LANGGRAPH_SWEEP_MAX
      ? await peer(() => msPerFanOut(width, () => lgFan.invoke({ width }), 1, 1_000))
      : undefined;
  sweep.push({ width, troupe, plain, lg });
}

const perSec = (n: number) => (n >= 10 ? rate(n) : `${n.toFixed(2)}/s`);
const x = (a: number, b: number) => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;
const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(v >= 1 ? 2 : 3)} ms`);
const us = (msValue: number, width: number) => `${((msValue * 1000) / width).toFixed(2)} µs/step`;
const last = sweep.at(-1);
const rows: Row[] = [
  {
    name: 'a) 10 sequential agent steps',
    value: `${rate(troupeA)} invokes`,
    floor: `${perSec(lgA)} LangGraph.js`,
    ratio: x(troupeA, lgA),
    note: 'goal ≥ 50×',
  },
  {
    name: 'a) 10 sequential agent steps',
    value: `${rate(troupeA)} invokes`,
    floor: `${rate(plainA)} plain await`,
    ratio: x(troupeA, plainA),
    note: `${(1e6 / troupeA / 10).toFixed(2)} µs/step`,
  },
  {
    name: `b) fan-out ${FAN} + join`,
    value: `${rate(troupeB)} invokes`,
    floor: `${perSec(lgB)} LangGraph.js`,
    ratio: x(troupeB, lgB),
    note: 'goal ≥ 100×',
  },
  {
    name: `b) fan-out ${FAN} + join`,
    value: `${rate(troupeB)} invokes`,
    floor: `${rate(plainB)} Promise.all`,
    ratio: x(troupeB, plainB),
    note: `${(1e6 / troupeB / FAN).toFixed(2)} µs/step`,
  },
  ...sweep.map(({ width, troupe, plain, lg }) => ({
    name: `c) fan-out ${width.toLocaleString('en-US')} + join`,
    value: ms(troupe),
    floor:
      lg === undefined
        ? `${ms(plain)} Promise.all (LangGraph.js not run)`
        : `${ms(lg)} LangGraph.js · ${ms(plain)} Promise.all`,
    ratio: lg === undefined ? '' : x(lg, troupe),
    note: `${us(troupe, width)} (LangGraph.js ${lg === undefined ? '-' : us(lg, width)})`,
  })),
];
const at1k = sweep.find((r) => r.width === 1_000);
if (at1k && last) {
  rows.push({
    name: 'c) growth 1,000 → 100,000',
    value: `${x(last.troupe / last.width, at1k.troupe / at1k.width)} per step`,
    floor: `${x(last.plain / last.width, at1k.plain / at1k.width)} per step, Promise.all`,
    ratio: '',
    note: 'per-step time at 100k ÷ at 1k (1× = linear)',
  });
}
rows.push({
  name: 'MaxListenersExceededWarning',
  value: String(warnings.troupe),
  floor: `${warnings.langgraph} LangGraph.js`,
  ratio: '',
  note: 'warnings emitted while each ran',
});
printTable(
  `bench:pipelines — Node ${process.version}; (a) ${INVOKES} invokes, (b) ${FAN_RUNS} invokes, best of 5 (LangGraph.js: ${LG_INVOKES} and ${LG_FAN_RUNS} invokes, 1 run after warm-up)`,
  rows,
);
