/**
 * node --expose-gc --import tsx bench/progress.bench.ts — what watching a run costs: a fan-out of
 * 1,000, 10,000 and 100,000 no-op steps run without a progress subscriber and with a
 * `trackProgress` subscriber, per item and as a ratio (goal: ≤ 2× at 100,000, and a per-item cost
 * that stays flat as the width grows). Agent steps (an in-process ask each, as in
 * bench/pipelines.bench.ts) and plain function steps (nothing but the pipeline: the harshest
 * ratio). Then the reducer alone over each fan-out's recorded event log, per event.
 *
 * Costs are CPU time of this process (user + system, GC threads included), not wall time: the
 * machines this runs on are shared, and wall time there mostly measures the neighbours.
 */
import {
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type ProgressEvent,
  type TaskProgress,
  trackProgress,
} from '@troupe/core';
import { agentStep, parallel, run, type Step } from '@troupe/pipelines';
import { from, lastValueFrom, toArray } from 'rxjs';
import { z } from 'zod';
import { printTable, type Row } from './table.js';

const WIDTHS = (process.env.BENCH_PROGRESS_WIDTHS ?? '1000,10000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_PROGRESS_RUNS ?? 3);

const Noop = defineMessage('bench.noop', z.object({ n: z.number() }));
const NoopAgent = defineAgent({ type: 'bench.noop', handles: { [Noop.type]: on(Noop, ({ n }) => n) } });
await using runtime = createRuntime();
await runtime.register(NoopAgent);
const agentNoop = agentStep(runtime.ref(NoopAgent), (n: number) => Noop.create({ n }));
const fnNoop = (n: number) => n;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Every sample covers about this many items, so narrow widths are measured over many runs. */
const ITEMS_PER_SAMPLE = 100_000;

/** Collects garbage, then lets the collector's own threads finish, so their CPU time is not ours. */
async function settle(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** CPU µs this process spent since `from` (user + system). */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return used.user + used.system;
};

/** CPU µs per item over enough runs of `fanOut` to cover ITEMS_PER_SAMPLE items. */
async function perItem(fanOut: Step<number, unknown>, width: number, tracked: boolean): Promise<number> {
  const runs = Math.max(1, Math.round(ITEMS_PER_SAMPLE / width));
  await settle();
  const started = process.cpuUsage();
  for (let r = 0; r < runs; r++) {
    const handle = run(fanOut, 1);
    let last: TaskProgress | undefined;
    if (tracked) trackProgress(handle.progress$).subscribe((p) => (last = p));
    await handle.result;
    if (tracked && last?.overallProgress !== 100)
      throw new Error(`tracked run ended at ${last?.overallProgress}%`);
  }
  return cpuSince(started) / (runs * width);
}

/** The best of RUNS runs of each mode, alternating so a noisy machine hurts both alike. */
async function measure(
  fanOut: Step<number, unknown>,
  width: number,
): Promise<{ bare: number; tracked: number }> {
  let bare = Number.POSITIVE_INFINITY;
  let tracked = Number.POSITIVE_INFINITY;
  await perItem(fanOut, width, false); // warm-up
  await perItem(fanOut, width, true);
  for (let i = 0; i < RUNS; i++) {
    bare = Math.min(bare, await perItem(fanOut, width, false));
    tracked = Math.min(tracked, await perItem(fanOut, width, true));
  }
  return { bare, tracked };
}

/** CPU µs per event of the reducer alone (trackProgress over the recorded log of one tracked run). */
async function reducerPerEvent(fanOut: Step<number, unknown>): Promise<{ us: number; events: number }> {
  const handle = run(fanOut, 1);
  const log = lastValueFrom(handle.progress$.pipe(toArray()));
  await handle.result;
  const events: ProgressEvent[] = await log;
  let best = Number.POSITIVE_INFINITY;
  const replays = Math.max(1, Math.round((4 * ITEMS_PER_SAMPLE) / events.length));
  for (let i = 0; i < RUNS; i++) {
    await settle();
    const started = process.cpuUsage();
    for (let r = 0; r < replays; r++) {
      const last = await lastValueFrom(trackProgress(from(events)));
      if (last.overallProgress !== 100) throw new Error('the replayed log did not end at 100%');
    }
    best = Math.min(best, cpuSince(started) / (replays * events.length));
  }
  return { us: best, events: events.length };
}

const fmt = (us: number) => `${us.toFixed(2)} µs/item`;
const rows: Row[] = [];
const reducerRows: Row[] = [];
for (const [kind, step] of [
  ['agent', agentNoop],
  ['function', fnNoop],
] as const) {
  const firstReducer: number[] = [];
  for (const width of WIDTHS) {
    const fanOut = parallel(
      Array.from({ length: width }, () => step as Step<number, number>),
      { failFast: true },
    ) as Step<number, unknown>;
    const { bare, tracked } = await measure(fanOut, width);
    const ratio = tracked / bare;
    rows.push({
      name: `${width.toLocaleString('en-US')} × ${kind} step`,
      value: fmt(tracked),
      floor: fmt(bare),
      ratio: `${ratio.toFixed(2)}×`,
      note: width === 100_000 ? (ratio <= 2 ? 'goal ≤ 2× met' : 'goal ≤ 2× NOT met') : '',
    });
    const reducer = await reducerPerEvent(fanOut);
    firstReducer.push(reducer.us);
    reducerRows.push({
      name: `${width.toLocaleString('en-US')}-wide ${kind} fan-out log`,
      value: `${reducer.us.toFixed(2)} µs/event`,
      floor: `${reducer.events.toLocaleString('en-US')} events`,
      ratio: `${(reducer.us / (firstReducer[0] as number)).toFixed(2)}×`,
      note: 'vs the narrowest width',
    });
  }
}

printTable('Progress: a fan-out with a trackProgress subscriber (ours) vs without (floor), CPU time', rows);
printTable(
  'Progress: the reducer alone (trackProgress over a recorded log), CPU time per event',
  reducerRows,
);
