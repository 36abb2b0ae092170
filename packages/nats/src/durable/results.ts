import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@troupe/core';
import { NatsKvStore } from '../store/NatsKvStore.js';
import { resultsBucketName } from './names.js';
import { RETENTION_DEFAULTS, type RetentionOptions, reportLimits, resultsLimits } from './retention.js';

/**
 * Opens (creating if needed, with the results TTL) the namespace's results bucket, and reports
 * once when an existing bucket's TTL differs from the one asked.
 */
export async function openResults(
  nc: NatsConnection,
  jsm: JetStreamManager,
  ns: string,
  options: RetentionOptions,
  logger: Logger | undefined,
): Promise<NatsKvStore> {
  const ttl = options.resultsTtlMs ?? RETENTION_DEFAULTS.resultsTtlMs;
  const bucket = resultsBucketName(ns);
  const store = await NatsKvStore.open({ nc, bucket, ...(ttl > 0 ? { ttl } : {}) });
  await reportLimits(jsm, `KV_${bucket}`, resultsLimits(options), logger).catch(() => false);
  return store;
}
