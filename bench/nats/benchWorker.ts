/**
 * A durable worker process for bench:nats: connects to BENCH_NATS_URL, hosts the bench job
 * agent in BENCH_NAMESPACE, prints "ready", and exits cleanly on SIGTERM.
 */

import { connect } from '@nats-io/transport-node';
import { createRuntime } from '@troupe/core';
import { startDurableWorker } from '@troupe/nats';
import { JobAgent } from './benchJob.js';

const url = process.env.BENCH_NATS_URL;
const namespace = process.env.BENCH_NAMESPACE;
if (url === undefined || namespace === undefined)
  throw new Error('BENCH_NATS_URL and BENCH_NAMESPACE are required');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 256);

const nc = await connect({ servers: url, noAsyncTraces: true });
const runtime = createRuntime({ namespace });
await runtime.register(JobAgent, { instances: concurrency });
const worker = await startDurableWorker({ nc, runtime, concurrency });

process.once('SIGTERM', () => {
  void (async () => {
    await worker.close();
    await runtime.close();
    await nc.close();
    process.exit(0);
  })();
});
process.stdout.write('ready\n');
