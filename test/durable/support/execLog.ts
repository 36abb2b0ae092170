import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Every execution of a fault-test task is published to `faulttest.<ns>.exec.<taskId>` on a
 * stream of its own, so executions survive the SIGKILL of the worker that ran them and the test
 * can count them per task (a task run twice is allowed; a task recorded twice is not).
 */
export function execSubject(ns: string, taskId: string): string {
  return `faulttest.${ns}.exec.${taskId}`;
}

function streamName(ns: string): string {
  return `FAULTTEST_${ns}_EXEC`;
}

/** Creates the stream that keeps the execution log. */
export async function createExecLog(nc: NatsConnection, ns: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: streamName(ns),
    subjects: [`faulttest.${ns}.exec.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
  });
}

/** Executions per task id. */
export async function countExecutions(nc: NatsConnection, ns: string): Promise<Map<string, number>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(streamName(ns), { subjects_filter: '>' });
  const prefix = `faulttest.${ns}.exec.`;
  const counts = new Map<string, number>();
  for (const [subject, n] of Object.entries(info.state.subjects ?? {}))
    counts.set(subject.slice(prefix.length), n);
  return counts;
}
