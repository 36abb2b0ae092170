/**
 * bench:nats — `pnpm bench:nats` (from source). Starts its own nats-server and prints
 * one table: Troupe asks over NATS against raw nats.js request/reply, durable dispatch against
 * raw JetStream publish + pull/ack of the same bytes, and durable dispatch to 1 vs 2 worker
 * processes. Beside each durable row, the bound: durable dispatch's own protocol (two JetStream
 * writes and two deliveries per task) written by hand on raw nats.js, in one process and with 1
 * vs 2 worker processes (`nats/rawProtocol.ts`). Sizes: BENCH_ASKS (sequential asks, default 5 000), BENCH_WINDOW_ASKS (default
 * 30 000), BENCH_TASKS (durable tasks per case, default 20 000: shorter runs measure the ramp more than the
 * steady state), BENCH_RUNS (runs of each durable
 * case, best kept, default 3).
 */
import { startNatsServer } from '@troupe/testing';
import { measureAsks } from './nats/askBench.js';
import { measureDurable, measureRawJetStream, WARMUP_TASKS } from './nats/durableBench.js';
import { measureRawProtocol } from './nats/rawProtocol.js';
import { measureRawWorkers, measureWorkers } from './nats/workerScaling.js';
import { printTable, type Row, rate, versus } from './table.js';

const ASKS = Number(process.env.BENCH_ASKS ?? 5_000);
const WINDOW_ASKS = Number(process.env.BENCH_WINDOW_ASKS ?? 30_000);
const TASKS = Number(process.env.BENCH_TASKS ?? 20_000);
const WIDTH = 256;
const CONCURRENCY = 256;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const started = performance.now();
await using server = await startNatsServer();
const url = server.url;

const asks = await measureAsks({ url, sequential: ASKS, window: WINDOW_ASKS, width: WIDTH });
// Each durable case runs RUNS times, interleaved so that load drifting on this shared machine
// falls on all of them alike; the table keeps each case's best run.
const inProcess = { durable: 0, raw: 0, protocol: 0 };
const processes = { one: 0, two: 0, rawOne: 0, rawTwo: 0 };
const keep = (into: Record<string, number>, key: string, value: number) => {
  into[key] = Math.max(into[key] ?? 0, value);
};
// This process's CPU (µs) per task of each in-process case, summed over runs (warm-up included).
const cpu = { durable: 0, raw: 0, protocol: 0 };
const timed = async (key: keyof typeof cpu, measure: () => Promise<number>) => {
  const before = process.cpuUsage();
  const value = await measure();
  const used = process.cpuUsage(before);
  cpu[key] += (used.user + used.system) / ((TASKS + WARMUP_TASKS) * RUNS);
  keep(inProcess, key, value);
};
const tasks = { url, count: TASKS, concurrency: CONCURRENCY };
for (let run = 0; run < RUNS; run++) {
  await timed('durable', () => measureDurable(tasks));
  await timed('raw', () => measureRawJetStream({ url, count: TASKS, batch: CONCURRENCY }));
  await timed('protocol', () => measureRawProtocol({ ...tasks, warmup: WARMUP_TASKS }));
  keep(processes, 'one', await measureWorkers({ ...tasks, workers: 1 }));
  keep(processes, 'two', await measureWorkers({ ...tasks, workers: 2 }));
  keep(processes, 'rawOne', await measureRawWorkers({ ...tasks, workers: 1 }));
  keep(processes, 'rawTwo', await measureRawWorkers({ ...tasks, workers: 2 }));
}
const { durable, raw, protocol } = inProcess;
// Client messages per task: the floor's publish, its ack, the delivery and the task's ack; durable
// dispatch adds the result, its ack and the result's delivery to the dispatcher's watch.
const perMessage = (key: keyof typeof cpu, messages: number) =>
  `${messages} client msgs/task, ${(cpu[key] / messages).toFixed(1)} µs CPU each`;
const { one, two, rawOne, rawTwo } = processes;

const rows: Row[] = [
  {
    name: 'ask over NATS, sequential',
    value: rate(asks.troupeSequential),
    floor: `${rate(asks.rawSequential)} nats.js request`,
    ...versus(asks.troupeSequential, asks.rawSequential, 0.85),
  },
  {
    name: `ask over NATS, ${WIDTH} in flight`,
    value: rate(asks.troupeWindow),
    floor: `${rate(asks.rawWindow)} nats.js request`,
    ...versus(asks.troupeWindow, asks.rawWindow, 0.9),
  },
  {
    name: 'durable dispatch → result, 1 worker',
    value: rate(durable),
    floor: `${rate(raw)} JetStream pub + pull/ack`,
    ...versus(durable, raw, 0.7),
    note: `2 JetStream writes/task vs 1; ${perMessage('durable', 7)} (floor ${perMessage('raw', 4)})`,
  },
  {
    name: '  bound: its protocol on raw nats.js',
    value: rate(protocol),
    floor: `${rate(raw)} JetStream pub + pull/ack`,
    ratio: `${(protocol / raw).toFixed(2)}×`,
    note: `same writes, no runtime: ${perMessage('protocol', 7)}; durable is ${(durable / protocol).toFixed(2)}× this`,
  },
  {
    name: 'durable, 1 worker process',
    value: rate(one),
    note: 'CPU-light tasks',
  },
  {
    name: 'durable, 2 worker processes',
    value: rate(two),
    floor: `${rate(one)} 1 process`,
    ...versus(two, one, 1.0),
    note: 'same host: 2 cores shared with nats-server',
  },
  {
    name: '  bound: raw protocol, 2 processes',
    value: rate(rawTwo),
    floor: `${rate(rawOne)} 1 process`,
    ratio: `${(rawTwo / rawOne).toFixed(2)}×`,
    note: 'what adding a process costs on this host without Troupe',
  },
];
printTable(
  `bench:nats — Node ${process.version}, nats-server on loopback; ${ASKS.toLocaleString('en-US')} sequential / ` +
    `${WINDOW_ASKS.toLocaleString('en-US')} windowed asks (best of 3), ${TASKS.toLocaleString('en-US')} durable tasks ` +
    `per case (best of ${RUNS}); took ${((performance.now() - started) / 1000).toFixed(0)} s`,
  rows,
);
