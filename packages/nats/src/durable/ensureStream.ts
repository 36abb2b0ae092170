import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@troupe/core';
import {
  legacyWorkersConsumerName,
  taskSubject,
  tasksStreamName,
  tasksStreamSubjects,
  typeConsumerName,
} from './names.js';
import { ensureDeadLetterStream, type RetentionOptions } from './retention.js';

/**
 * Settings of the work-queue stream, applied when it is created, and the retention of the other
 * durable assets (results, dead letters; see {@link RetentionOptions} and DURABLE.md).
 */
export interface TaskStreamOptions extends RetentionOptions {
  /** File (default) or memory storage. */
  storage?: StorageType;
  /** Replicas in a cluster (default 1). */
  replicas?: number;
  /** Drop queued tasks older than this, ms (default: never; dead letters have their own limits). */
  maxAgeMs?: number;
  /** How long a task id de-duplicates re-dispatches, ms (default 2 min, the server's default). */
  duplicateWindowMs?: number;
}

/** Settings of the consumer of one agent type, shared by the workers hosting it. */
export interface WorkersConsumerOptions {
  /** How long a delivery may go without an ack or `working()` before it is redelivered, ms. */
  ackWaitMs: number;
  /** The server's delivery limit (the worker allows one more than its own `maxDeliver`; see DURABLE.md). */
  maxDeliver: number;
}

const NOT_FOUND = /not found/i;

/**
 * Creates the namespace's work-queue stream unless it exists, and the dead-letter stream (or
 * reports how an existing one differs from the retention asked); concurrent callers are fine.
 */
export async function ensureTaskStream(
  jsm: JetStreamManager,
  ns: string,
  options: TaskStreamOptions = {},
  logger?: Logger,
): Promise<StreamInfo> {
  const info = await ensureQueue(jsm, ns, options);
  await ensureDeadLetterStream(jsm, ns, options, options.storage, logger);
  return info;
}

async function ensureQueue(
  jsm: JetStreamManager,
  ns: string,
  options: TaskStreamOptions,
): Promise<StreamInfo> {
  const name = tasksStreamName(ns);
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (!NOT_FOUND.test(messageOf(err))) throw err;
  }
  try {
    return await jsm.streams.add({
      name,
      subjects: [tasksStreamSubjects(ns)],
      retention: RetentionPolicy.Workqueue,
      storage: options.storage ?? StorageType.File,
      num_replicas: options.replicas ?? 1,
      ...(options.maxAgeMs === undefined ? {} : { max_age: nanos(options.maxAgeMs) }),
      ...(options.duplicateWindowMs === undefined
        ? {}
        : { duplicate_window: nanos(options.duplicateWindowMs) }),
    });
  } catch (err) {
    // Another process created it between our info and add.
    return await jsm.streams.info(name).catch(() => Promise.reject(err));
  }
}

/**
 * Creates the durable pull consumer of one agent type (filtered on its task subject, shared by
 * every worker hosting the type), or updates its ack wait and delivery limit. Deletes the
 * pre-0.3 consumer over every type first: a work queue forbids overlapping consumers.
 */
export async function ensureTypeConsumer(
  jsm: JetStreamManager,
  ns: string,
  type: string,
  options: WorkersConsumerOptions,
): Promise<string> {
  const stream = tasksStreamName(ns);
  const durable = typeConsumerName(ns, type);
  const wanted = { ack_wait: nanos(options.ackWaitMs), max_deliver: options.maxDeliver };
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await jsm.consumers.info(stream, durable);
      const { ack_wait, max_deliver } = info.config;
      if (ack_wait !== wanted.ack_wait || max_deliver !== wanted.max_deliver) {
        await jsm.consumers.update(stream, durable, wanted);
      }
      return durable;
    } catch (err) {
      if (!NOT_FOUND.test(messageOf(err)) || attempt > 1) throw err;
    }
    await jsm.consumers.delete(stream, legacyWorkersConsumerName(ns)).catch(() => false);
    try {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: taskSubject(ns, type),
        max_ack_pending: -1,
        ...wanted,
      });
      return durable;
    } catch {
      // Lost a creation race (or the config differs): look again and update.
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
