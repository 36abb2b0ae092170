import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createDispatcher } from '@troupe/nats';
import { dispatchAndCollect, WARMUP_TASKS } from './durableBench.js';
import { seconds } from './lanes.js';
import { dispatchRawAndCollect, setUpRawProtocol } from './rawProtocol.js';

const WORKER = fileURLToPath(new URL('./benchWorker.ts', import.meta.url));
const RAW_WORKER = fileURLToPath(new URL('./rawProtocolWorker.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts a bench worker process (`script`) and resolves once it printed "ready". */
function startWorker(
  script: string,
  url: string,
  namespace: string,
  concurrency: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      BENCH_NATS_URL: url,
      BENCH_NAMESPACE: namespace,
      BENCH_CONCURRENCY: String(concurrency),
    },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bench worker exited early (${code})`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(force);
}

/** How big one measurement is. */
interface ScalingOptions {
  url: string;
  workers: number;
  count: number;
  concurrency: number;
}

/**
 * Tasks per second with `workers` processes running `script`: `open` sets up the dispatching
 * side for the namespace and returns how to dispatch `n` tasks of a run and wait for their results.
 */
async function measureProcesses(
  options: ScalingOptions,
  script: string,
  namespace: string,
  open: (
    nc: NatsConnection,
  ) => Promise<{ run: (n: number, runId: string) => Promise<void> } & AsyncDisposable>,
): Promise<number> {
  const nc = await connect({ servers: options.url, noAsyncTraces: true });
  const children: ChildProcess[] = [];
  try {
    await using side = await open(nc);
    for (let i = 0; i < options.workers; i++)
      children.push(await startWorker(script, options.url, namespace, options.concurrency));
    // Every process gets as many warm-up tasks as a lone worker would: its own JIT warms alone.
    await side.run(WARMUP_TASKS * options.workers, 'warmup');
    const s = await seconds(() => side.run(options.count, 'measured'));
    return options.count / s;
  } finally {
    await Promise.all(children.map(stopWorker));
    await nc.close();
  }
}

/** Tasks per second through durable dispatch to `workers` worker processes. */
export function measureWorkers(options: ScalingOptions): Promise<number> {
  const namespace = `scale${options.workers}w${Date.now()}`;
  return measureProcesses(options, WORKER, namespace, async (nc) => {
    const dispatcher = await createDispatcher({ nc, namespace });
    return {
      run: (n, runId) => dispatchAndCollect(dispatcher, n, runId),
      [Symbol.asyncDispose]: () => dispatcher.close(),
    };
  });
}

/**
 * Tasks per second through durable dispatch's protocol written on raw nats.js (`rawProtocol.ts`)
 * with `workers` worker processes: what adding a process costs on this host without Troupe.
 */
export function measureRawWorkers(options: ScalingOptions): Promise<number> {
  const id = `rw${options.workers}w${Date.now()}`;
  return measureProcesses(options, RAW_WORKER, id, async (nc) => {
    const names = await setUpRawProtocol(nc, id);
    return {
      run: (n, runId) => dispatchRawAndCollect(nc, names, n, runId),
      [Symbol.asyncDispose]: async () => {},
    };
  });
}
