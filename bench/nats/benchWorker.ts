/**
 * A durable worker process for bench:nats: hosts the bench job agent in BENCH_NAMESPACE on
 * BENCH_NATS_URL (see `workerProcess.ts`).
 */

import { createRuntime } from '@troupe/core';
import { startDurableWorker } from '@troupe/nats';
import { JobAgent } from './benchJob.js';
import { serveAsWorker } from './workerProcess.js';

await serveAsWorker(async (nc, namespace, concurrency) => {
  const runtime = createRuntime({ namespace });
  await runtime.register(JobAgent, { instances: concurrency });
  const worker = await startDurableWorker({ nc, runtime, concurrency });
  return async () => {
    await worker.close();
    await runtime.close();
  };
});
