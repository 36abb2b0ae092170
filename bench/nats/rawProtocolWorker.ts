/**
 * A worker process for bench:nats running durable dispatch's protocol on raw nats.js (see
 * `rawProtocol.ts`): connects to BENCH_NATS_URL, serves the stream and bucket named by
 * BENCH_NAMESPACE, prints "ready", and exits cleanly on SIGTERM.
 */

import { connect } from '@nats-io/transport-node';
import { rawProtocolNames, startRawProtocolWorker } from './rawProtocol.js';

const url = process.env.BENCH_NATS_URL;
const namespace = process.env.BENCH_NAMESPACE;
if (url === undefined || namespace === undefined)
  throw new Error('BENCH_NATS_URL and BENCH_NAMESPACE are required');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 256);

const nc = await connect({ servers: url, noAsyncTraces: true });
const stop = await startRawProtocolWorker(nc, rawProtocolNames(namespace), concurrency);

process.once('SIGTERM', () => {
  void (async () => {
    await stop();
    await nc.close();
    process.exit(0);
  })();
});
process.stdout.write('ready\n');
