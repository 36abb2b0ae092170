/**
 * pnpm bench:core — in-process asks against their floors (raw XState send,
 * a plain awaited function), the cost of copy-on-delivery for a ~1 KB payload
 * (copied, as every payload is, against one declared immutable), and the cost
 * of 100,000 activated agents.
 */
import { copyValue, createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { createActor, createMachine } from 'xstate';
import { z } from 'zod';
import { best, opsPerSec, printTable, type Row, rate } from './table.js';

const N = Number(process.env.BENCH_N ?? 200_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100_000);
const Ping = defineMessage('bench.ping', z.object({ n: z.number() }));
const Echo = defineAgent({ type: 'bench.echo', handles: { [Ping.type]: on(Ping, ({ n }) => n) } });

async function troupeSequential(): Promise<number> {
  await using rt = createRuntime();
  await rt.register(Echo);
  const ref = rt.ref(Echo);
  return await best(3, () =>
    opsPerSec(N, async () => {
      for (let i = 0; i < N; i++) await ref.ask(Ping.create({ n: i }));
    }),
  );
}

// A ~1 KB JSON payload: 20 records of a few fields, copied on delivery unless declared immutable.
const RecordSchema = z.object({
  id: z.number(),
  name: z.string(),
  tags: z.array(z.string()),
  score: z.number(),
});
const Batch = defineMessage('bench.batch', z.object({ rows: z.array(RecordSchema) }));
const FrozenBatch = defineMessage('bench.frozenBatch', z.object({ rows: z.array(RecordSchema) }), {
  immutable: true,
});
const Counter = defineAgent({
  type: 'bench.count',
  handles: {
    [Batch.type]: on(Batch, ({ rows }) => rows.length),
    [FrozenBatch.type]: on(FrozenBatch, ({ rows }) => rows.length),
  },
});
const batchRows = Array.from({ length: 20 }, (_, id) => ({
  id,
  name: `row ${id}`,
  tags: ['a', 'b'],
  score: id / 3,
}));

async function payloadAsks(immutable: boolean): Promise<number> {
  await using rt = createRuntime();
  await rt.register(Counter);
  const ref = rt.ref(Counter);
  // Messages made once, outside the loop: the figure is the delivery's, not zod's.
  const message = immutable ? FrozenBatch.create({ rows: batchRows }) : Batch.create({ rows: batchRows });
  return await best(3, () =>
    opsPerSec(N, async () => {
      for (let i = 0; i < N; i++) await ref.ask(message);
    }),
  );
}

/** Copies per second of the ~1 KB payload alone: ours, structuredClone, and a JSON round trip (what NATS does). */
function copies(copy: (value: unknown) => unknown): number {
  const value = { rows: batchRows };
  const n = 20_000;
  let top = 0;
  for (let r = 0; r < 4; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) copy(value);
    if (r > 0) top = Math.max(top, (n / (performance.now() - start)) * 1000);
  }
  return top;
}

async function inFlight(ops: number, width: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < ops) await one(next++);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function troupeConcurrent(): Promise<number> {
  await using rt = createRuntime();
  await rt.register(Echo);
  const ref = rt.ref(Echo);
  return await best(3, () => opsPerSec(N, () => inFlight(N, 256, (i) => ref.ask(Ping.create({ n: i })))));
}

// The floor: an equivalent XState machine answering through a callback in the event.
function xstateEcho() {
  const machine = createMachine({
    types: {} as { events: { type: 'ping'; n: number; reply: (n: number) => void } },
    on: { ping: { actions: ({ event }) => event.reply(event.n) } },
  });
  return createActor(machine).start();
}

async function xstateSequential(): Promise<number> {
  const actor = xstateEcho();
  return await best(3, () =>
    opsPerSec(N, async () => {
      for (let i = 0; i < N; i++)
        await new Promise<number>((reply) => actor.send({ type: 'ping', n: i, reply }));
    }),
  );
}

async function xstateConcurrent(): Promise<number> {
  const actor = xstateEcho();
  return await best(3, () =>
    opsPerSec(N, () =>
      inFlight(N, 256, (i) => new Promise<number>((reply) => actor.send({ type: 'ping', n: i, reply }))),
    ),
  );
}

async function plainAsync(): Promise<number> {
  const echo = async (n: number) => n;
  return await best(3, () =>
    opsPerSec(N, async () => {
      for (let i = 0; i < N; i++) await echo(i);
    }),
  );
}

async function activation(): Promise<{ seconds: number; rss: number; perAgent: number }> {
  const Cell = defineAgent({
    type: 'bench.cell',
    initialState: (key: string) => ({ key }),
    handles: { [Ping.type]: on(Ping, ({ n }) => n) },
  });
  global.gc?.();
  const before = process.memoryUsage().rss;
  await using rt = createRuntime();
  await rt.register(Cell);
  let peak = before;
  const start = performance.now();
  for (let i = 0; i < AGENTS; i += 1000) {
    const batch: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(i + 1000, AGENTS); k++)
      batch.push(rt.ref(Cell, `c${k}`).ask(Ping.create({ n: k })));
    await Promise.all(batch);
    if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - start) / 1000;
  global.gc?.();
  peak = Math.max(peak, process.memoryUsage().rss);
  const held = rt.stats().instances;
  return { seconds, rss: peak, perAgent: (peak - before) / held };
}

const seq = await troupeSequential();
const conc = await troupeConcurrent();
const xSeq = await xstateSequential();
const xConc = await xstateConcurrent();
const plain = await plainAsync();
const copied = await payloadAsks(false);
const shared = await payloadAsks(true);
const bytes = JSON.stringify({ rows: batchRows }).length;
const ours = copies((v) => copyValue(v));
const cloned = copies((v) => structuredClone(v));
const json = copies((v) => JSON.parse(JSON.stringify(v)));
const act = await activation();

const rows: Row[] = [
  {
    name: 'ask, sequential',
    value: rate(seq),
    floor: `${rate(xSeq)} XState send`,
    ratio: `${(seq / xSeq).toFixed(2)}×`,
  },
  {
    name: 'ask, 256 in flight',
    value: rate(conc),
    floor: `${rate(xConc)} XState send`,
    ratio: `${(conc / xConc).toFixed(2)}×`,
  },
  {
    name: 'ask, sequential',
    value: rate(seq),
    floor: `${rate(plain)} plain await`,
    ratio: `${(seq / plain).toFixed(3)}×`,
  },
  {
    name: `ask, ${bytes} B payload, copied`,
    value: rate(copied),
    floor: `${rate(shared)} declared immutable`,
    ratio: `${(copied / shared).toFixed(2)}×`,
    note: `copy ≈ ${((1 / copied - 1 / shared) * 1e6).toFixed(2)} µs/ask`,
  },
  {
    name: `copyValue, ${bytes} B payload`,
    value: `${(1e6 / ours).toFixed(2)} µs`,
    floor: `${(1e6 / cloned).toFixed(2)} µs structuredClone`,
    ratio: `${(ours / cloned).toFixed(1)}× faster`,
    note: `JSON round trip ${(1e6 / json).toFixed(2)} µs`,
  },
  {
    name: `activate ${AGENTS.toLocaleString('en-US')} agents`,
    value: `${act.seconds.toFixed(2)} s`,
    floor: `${(act.rss / 2 ** 20).toFixed(0)} MiB peak RSS`,
    ratio: '',
    note: `${Math.round(act.perAgent).toLocaleString('en-US')} B/agent`,
  },
];
printTable(
  `bench:core — Node ${process.version}, ${N.toLocaleString('en-US')} asks per case, best of 3`,
  rows,
);
