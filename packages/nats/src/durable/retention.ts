import { DiscardPolicy, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@troupe/core';
import { deadLetterStreamName, deadLetterSubjectFor } from './names.js';

/**
 * How much durable dispatch keeps, per JetStream asset. Applied when Troupe creates the asset;
 * an existing asset whose limits differ is left as it is and reported once (a WARN log line).
 */
export interface RetentionOptions {
  /** Results (`troupe_<ns>_results`) expire this long after they are recorded, ms (default 7 days; 0 never). */
  resultsTtlMs?: number;
  /** Dead letters (stream `TROUPE_<NS>_DEAD`) are dropped after this long, ms (default 30 days; 0 never). */
  deadLetterMaxAgeMs?: number;
  /** At most this many dead letters are kept, oldest dropped first (default 10 000; 0 unlimited). */
  deadLetterMaxMessages?: number;
}

/** The documented defaults of {@link RetentionOptions}. */
export const RETENTION_DEFAULTS: Required<RetentionOptions> = {
  resultsTtlMs: 7 * 24 * 3_600_000,
  deadLetterMaxAgeMs: 30 * 24 * 3_600_000,
  deadLetterMaxMessages: 10_000,
};

/** The limits an asset should have, in JetStream's terms (`max_age` in nanoseconds, `-1`/0 for none). */
export interface AssetLimits {
  max_age?: number;
  max_msgs?: number;
  max_msgs_per_subject?: number;
}

const reported = new Set<string>();

/**
 * Compares an existing stream's limits with `wanted` and logs one WARN per stream and process when
 * they differ (Troupe never changes an asset it did not create). Returns whether they differ.
 */
export async function reportLimits(
  jsm: JetStreamManager,
  stream: string,
  wanted: AssetLimits,
  logger: Logger | undefined,
): Promise<boolean> {
  const info = await jsm.streams.info(stream);
  const config = info.config as unknown as Record<string, number | undefined>;
  const diffs: string[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    const have = config[name] ?? 0;
    if (normal(have) !== normal(value as number)) diffs.push(`${name} is ${have}, wanted ${value}`);
  }
  if (diffs.length === 0) return false;
  if (logger && !reported.has(stream)) {
    reported.add(stream);
    logger.warn(`JetStream asset ${stream} differs from the configured retention: ${diffs.join('; ')}`, {
      stream,
    });
  }
  return true;
}

/** `-1` and `0` both mean "no limit". */
function normal(n: number): number {
  return Math.max(0, n);
}

/** The results bucket's `max_age` (ns) for a TTL in ms (0: never). */
export function resultsLimits(options: RetentionOptions): AssetLimits {
  const ttl = options.resultsTtlMs ?? RETENTION_DEFAULTS.resultsTtlMs;
  return { max_age: ttl > 0 ? nanos(ttl) : 0 };
}

function deadLimits(options: RetentionOptions): Required<Pick<AssetLimits, 'max_age' | 'max_msgs'>> {
  const age = options.deadLetterMaxAgeMs ?? RETENTION_DEFAULTS.deadLetterMaxAgeMs;
  const count = options.deadLetterMaxMessages ?? RETENTION_DEFAULTS.deadLetterMaxMessages;
  return { max_age: age > 0 ? nanos(age) : 0, max_msgs: count > 0 ? count : -1 };
}

/**
 * Creates the dead-letter stream `TROUPE_<NS>_DEAD` (subject `troupe.<ns>.tasks.dead`, limits
 * retention, oldest dropped) unless it exists, or reports how an existing one differs. A tasks
 * stream from before 0.3 still captures that subject: then dead letters stay there, unbounded,
 * and that is reported instead.
 */
export async function ensureDeadLetterStream(
  jsm: JetStreamManager,
  ns: string,
  options: RetentionOptions,
  storage: StorageType | undefined,
  logger: Logger | undefined,
): Promise<void> {
  const name = deadLetterStreamName(ns);
  const limits = deadLimits(options);
  try {
    await reportLimits(jsm, name, limits, logger);
    return;
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [deadLetterSubjectFor(ns)],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: storage ?? StorageType.File,
      ...limits,
    });
  } catch (err) {
    const message = (err as Error).message;
    if (/already in use/i.test(message)) return; // created meanwhile by another process
    if (/overlap/i.test(message)) {
      if (logger && !reported.has(name)) {
        reported.add(name);
        logger.warn(
          `dead letters of '${ns}' are kept by the tasks stream without limits (it predates ${name}); ` +
            `change its subjects to troupe.${ns}.tasks.do.> to bound them`,
        );
      }
      return;
    }
    throw err;
  }
}
