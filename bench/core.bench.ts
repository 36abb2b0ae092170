/**
 * pnpm bench:core — in-process asks against their floors (raw XState send, measured in a fresh
 * process before and after ours; a plain awaited function), the cost of copy-on-delivery for a ~1 KB payload (copied, as every payload is,
 * against one declared immutable), and activating 100,000 agents against as many bare XState
 * actors (each in a fresh process). BENCH_MILLION=1 adds 1,000,000 agents (also `pnpm bench:million`).
 */
import { copyValue, createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { z } from 'zod';
import { activateInChild } from './core/activation.js';
import { millionRow } from './core/million.js';
import { xstateFloorInChild } from './core/xstateFloor.js';
import { best, inFlight, met, opsPerSec, printTable, type Row, rate, versus } from './table.js';

const N = Number(process.env.BENCH_N ?? 200_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100_000);
const Ping = defineMessage('bench.ping', z.object({ n: z.number() }));
const Echo = defineAgent({ type: 'bench.echo', handles: { [Ping.type]: on(Ping, ({ n }) => n) } });

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

/** Asks of ours per second (best of 3), sequential or `width` in flight. */
async function asks(width: number): Promise<number> {
  await using rt = createRuntime();
  await rt.register(Echo);
  const ref = rt.ref(Echo);
  const ask = (i: number) => ref.ask(Ping.create({ n: i }));
  return await best(3, () =>
    opsPerSec(N, async () => {
      if (width > 1) return await inFlight(N, width, ask);
      for (let i = 0; i < N; i++) await ask(i);
    }),
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

// The floor before and after ours (each in a fresh process), its best taken: load drifts.
const floorBefore = xstateFloorInChild(N);
const seq = await asks(1);
const conc = await asks(256);
const floorAfter = xstateFloorInChild(N);
const xSeq = Math.max(floorBefore.sequential, floorAfter.sequential);
const xConc = Math.max(floorBefore.inFlight, floorAfter.inFlight);
const plain = await plainAsync();
const copied = await payloadAsks(false);
const shared = await payloadAsks(true);
const bytes = JSON.stringify({ rows: batchRows }).length;
const ours = copies((v) => copyValue(v));
const cloned = copies((v) => structuredClone(v));
const json = copies((v) => JSON.parse(JSON.stringify(v)));
const act = activateInChild('troupe', AGENTS);
const bare = activateInChild('xstate', AGENTS);
const million = process.env.BENCH_MILLION === '1' ? millionRow() : undefined;

const perAgent = (bytes: number) => `${Math.round(bytes).toLocaleString('en-US')} B/agent`;
const rows: Row[] = [
  {
    name: 'ask, sequential',
    value: rate(seq),
    floor: `${rate(xSeq)} XState send`,
    ...versus(seq, xSeq, 0.8),
  },
  {
    name: 'ask, 256 in flight',
    value: rate(conc),
    floor: `${rate(xConc)} XState send`,
    ...versus(conc, xConc, 0.8),
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
    value: perAgent(act.perAgent),
    floor: `${perAgent(bare.perAgent)} bare XState actor`,
    ratio: `${(act.perAgent / bare.perAgent).toFixed(2)}×`,
    goal: `≤ 4,000 B/agent ${met(act.perAgent <= 4000)}`,
    note:
      `${act.seconds.toFixed(2)} s (XState ${bare.seconds.toFixed(2)} s), ` +
      `${(act.peakRss / 2 ** 20).toFixed(0)} MiB peak RSS`,
  },
];
if (million) rows.push(million);
printTable(
  `bench:core — Node ${process.version}, ${N.toLocaleString('en-US')} asks per case, best of 3`,
  rows,
);
