import { type JetStreamManager, RetentionPolicy, StorageType, type StreamInfo } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { progressStreamName } from './subjects.js';

/** Limits of a namespace's progress stream. */
export interface ProgressStreamOptions {
  /** How long events are kept, ms (default 24 h). */
  maxAge?: number;
  /** Upper bound of stored bytes (default unlimited). */
  maxBytes?: number;
  /** Upper bound of stored events (default unlimited). */
  maxMessages?: number;
  /** `file` (default) or `memory`. */
  storage?: 'file' | 'memory';
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Creates the JetStream stream `TROUPE_<NS>_PROGRESS` on `troupe.<ns>.progress.>`
 * if it does not exist; when it exists without our subject (a namespace
 * differing only in case), adds the subject. Safe to race with other processes.
 */
export async function ensureProgressStream(
  jsm: JetStreamManager,
  namespace: string,
  options: ProgressStreamOptions = {},
): Promise<string> {
  const name = progressStreamName(namespace);
  const subject = `troupe.${namespace}.progress.>`;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    let info: StreamInfo | undefined;
    try {
      info = await jsm.streams.info(name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (info) {
      if (!info.config.subjects.includes(subject)) {
        await jsm.streams.update(name, { ...info.config, subjects: [...info.config.subjects, subject] });
      }
      return name;
    }
    try {
      await jsm.streams.add({
        name,
        subjects: [subject],
        retention: RetentionPolicy.Limits,
        storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
        max_age: nanos(options.maxAge ?? DAY),
        max_bytes: options.maxBytes ?? -1,
        max_msgs: options.maxMessages ?? -1,
      });
      return name;
    } catch (err) {
      // Most likely another process created it first: go round and look again.
      lastError = err;
    }
  }
  throw lastError;
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}
