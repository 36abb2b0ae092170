import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * The life of a bench worker process: reads BENCH_NATS_URL, BENCH_NAMESPACE and
 * BENCH_CONCURRENCY (default 256), connects, runs `start`, prints "ready", and on SIGTERM calls
 * the stop function `start` returned, closes the connection and exits 0.
 */
export async function serveAsWorker(
  start: (nc: NatsConnection, namespace: string, concurrency: number) => Promise<() => Promise<void>>,
): Promise<void> {
  const url = process.env.BENCH_NATS_URL;
  const namespace = process.env.BENCH_NAMESPACE;
  if (url === undefined || namespace === undefined)
    throw new Error('BENCH_NATS_URL and BENCH_NAMESPACE are required');
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 256);
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const stop = await start(nc, namespace, concurrency);
  process.once('SIGTERM', () => {
    void (async () => {
      await stop();
      await nc.close();
      process.exit(0);
    })();
  });
  process.stdout.write('ready\n');
}
