/**
 * pnpm bench:simulation (node --expose-gc, from source) — the simulation of examples/simulation.ts
 * (every agent speaks to a seeded peer once a round; 3 rounds) at 10k, 100k and 1M agents:
 * agents per second (agent-to-agent messages heard per second) and bytes per agent (heap held
 * after a GC), on a Troupe runtime with agents batched in 64 shard agents, with an agent instance
 * per agent (up to BENCH_SIM_ACTORS_MAX, default 100,000: an XState actor each), and beside the
 * floor: the same rounds over plain objects and promises. Each case runs in a process of its own.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { peerOf, simulate } from '../examples/simulation.js';
import { printTable, type Row, rate } from './table.js';

const SIZES = [10_000, 100_000, 1_000_000];
const ROUNDS = 3;
const ACTORS_MAX = Number(process.env.BENCH_SIM_ACTORS_MAX ?? 100_000);

interface Measured {
  perSec: number;
  bytesPerAgent: number;
  totalMs: number;
  peakRss: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
/** Memory held: the JS heap plus memory outside it (typed arrays' buffers). */
const held = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

/** The floor: the same rounds with agents as plain objects and a promise per message. */
async function plain(agents: number): Promise<Measured> {
  gc();
  const base = held();
  const t0 = performance.now();
  const world = Array.from({ length: agents }, () => ({ heard: 0 }));
  let peak = 0;
  let kept = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const window = 20_000;
    for (let start = 0; start < agents; start += window) {
      const hops: Promise<void>[] = [];
      for (let i = start; i < Math.min(agents, start + window); i++) {
        hops.push(
          Promise.resolve(peerOf(i, round, agents, 1)).then((peer) => {
            (world[peer] as { heard: number }).heard += 1;
          }),
        );
      }
      await Promise.all(hops);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    if (round === ROUNDS) {
      gc();
      kept = held() - base;
    }
  }
  const totalMs = performance.now() - t0;
  return { perSec: (agents * ROUNDS * 1000) / totalMs, bytesPerAgent: kept / agents, totalMs, peakRss: peak };
}

async function troupe(agents: number, mode: 'actors' | 'shards'): Promise<Measured> {
  gc();
  const base = held();
  let kept = 0;
  let peak = 0;
  const t0 = performance.now();
  const { heard } = await simulate({
    agents,
    rounds: ROUNDS,
    mode,
    onRound: (s) => {
      peak = Math.max(peak, s.rss);
      if (s.round === ROUNDS) {
        gc();
        kept = held() - base;
      }
    },
  });
  const totalMs = performance.now() - t0;
  if (heard !== agents * ROUNDS) throw new Error(`heard ${heard}, expected ${agents * ROUNDS}`);
  return { perSec: (agents * ROUNDS * 1000) / totalMs, bytesPerAgent: kept / agents, totalMs, peakRss: peak };
}

// A child process measures one case and prints it as JSON.
const [, , caseArg, sizeArg] = process.argv;
if (caseArg !== undefined) {
  const agents = Number(sizeArg);
  const m = caseArg === 'plain' ? await plain(agents) : await troupe(agents, caseArg as 'actors' | 'shards');
  console.log(JSON.stringify(m));
  process.exit(0);
}

function measure(kind: string, agents: number): Measured {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), kind, String(agents)],
    { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, TROUPE_LOG: 'error' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Measured;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const versus = (ours: number, floor: number) =>
  ours >= floor
    ? `${(ours / floor).toFixed(2)}× faster`
    : `${(floor / ours).toFixed(floor / ours >= 10 ? 0 : 2)}× slower`;
const rows: Row[] = [];
for (const agents of SIZES) {
  const n = agents.toLocaleString('en-US');
  const floor = measure('plain', agents);
  const shards = measure('shards', agents);
  rows.push({
    name: `${n} agents, 64 shard agents`,
    value: `${rate(shards.perSec)} agents`,
    floor: `${rate(floor.perSec)} plain objects + a promise per message`,
    ratio: versus(shards.perSec, floor.perSec),
    note: `${shards.bytesPerAgent.toFixed(0)} B/agent (floor ${floor.bytesPerAgent.toFixed(0)}) · ${(shards.totalMs / 1000).toFixed(1)} s · peak rss ${gib(shards.peakRss)}`,
  });
  if (agents <= ACTORS_MAX) {
    const actors = measure('actors', agents);
    rows.push({
      name: `${n} agents, an instance each`,
      value: `${rate(actors.perSec)} agents`,
      floor: `${rate(floor.perSec)} plain objects + promises`,
      ratio: versus(actors.perSec, floor.perSec),
      note: `${actors.bytesPerAgent.toFixed(0)} B/agent · ${(actors.totalMs / 1000).toFixed(1)} s · peak rss ${gib(actors.peakRss)}`,
    });
  }
}
printTable(
  `bench:simulation — Node ${process.version}; ${ROUNDS} rounds, each agent speaks to one seeded peer per round; agents/s = messages heard per second; each case in its own process (goal at 1M: < 60 s, < 8 GiB)`,
  rows,
);
