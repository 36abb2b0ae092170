import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
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

/** Tasks per second through durable dispatch to `workers` worker processes. */
export async function measureWorkers(options: {
  url: string;
  workers: number;
  count: number;
  concurrency: number;
}): Promise<number> {
  const namespace = `scale${options.workers}w${Date.now()}`;
  const nc = await connect({ servers: options.url, noAsyncTraces: true });
  const children: ChildProcess[] = [];
  try {
    await using dispatcher = await createDispatcher({ nc, namespace });
    for (let i = 0; i < options.workers; i++)
      children.push(await startWorker(WORKER, options.url, namespace, options.concurrency));
    // Every process gets as many warm-up tasks as a lone worker would: its own JIT warms alone.
    await dispatchAndCollect(dispatcher, WARMUP_TASKS * options.workers, 'warmup');
    const s = await seconds(() => dispatchAndCollect(dispatcher, options.count, 'measured'));
    return options.count / s;
  } finally {
    await Promise.all(children.map(stopWorker));
    await nc.close();
  }
}

/**
 * Tasks per second through durable dispatch's protocol written on raw nats.js (`rawProtocol.ts`)
 * with `workers` worker processes: what adding a process costs on this host without Troupe.
 */
export async function measureRawWorkers(options: {
  url: string;
  workers: number;
  count: number;
  concurrency: number;
}): Promise<number> {
  const id = `rw${options.workers}w${Date.now()}`;
  const nc = await connect({ servers: options.url, noAsyncTraces: true });
  const children: ChildProcess[] = [];
  try {
    const names = await setUpRawProtocol(nc, id);
    for (let i = 0; i < options.workers; i++)
      children.push(await startWorker(RAW_WORKER, options.url, id, options.concurrency));
    await dispatchRawAndCollect(nc, names, WARMUP_TASKS * options.workers, 'warmup');
    const s = await seconds(() => dispatchRawAndCollect(nc, names, options.count, 'measured'));
    return options.count / s;
  } finally {
    await Promise.all(children.map(stopWorker));
    await nc.close();
  }
}
