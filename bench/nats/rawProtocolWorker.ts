/**
 * A worker process for bench:nats running durable dispatch's protocol on raw nats.js (see
 * `rawProtocol.ts`) for the stream and bucket named by BENCH_NAMESPACE (see `workerProcess.ts`).
 */

import { rawProtocolNames, startRawProtocolWorker } from './rawProtocol.js';
import { serveAsWorker } from './workerProcess.js';

await serveAsWorker((nc, namespace, concurrency) =>
  startRawProtocolWorker(nc, rawProtocolNames(namespace), concurrency),
);
