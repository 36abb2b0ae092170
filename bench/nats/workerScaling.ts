import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { createDispatcher } from '@troupe/nats';
import { dispatchAndCollect, WARMUP_TASKS } from './durableBench.js';
import { seconds } from './lanes.js';

const WORKER = fileURLToPath(new URL('./benchWorker.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts a bench worker process and resolves once it printed "ready". */
function startWorker(url: string, namespace: string, concurrency: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
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
      children.push(await startWorker(options.url, namespace, options.concurrency));
    await dispatchAndCollect(dispatcher, WARMUP_TASKS, 'warmup');
    const s = await seconds(() => dispatchAndCollect(dispatcher, options.count, 'measured'));
    return options.count / s;
  } finally {
    await Promise.all(children.map(stopWorker));
    await nc.close();
  }
}
