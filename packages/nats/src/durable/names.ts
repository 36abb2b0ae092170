/**
 * The JetStream names durable dispatch uses for a namespace, in one place so the dispatcher and
 * every worker agree.
 */

import { ValidationError } from '@troupe/core';

const NAMESPACE = /^[A-Za-z0-9_-]+$/;

/** Returns `ns` when it is a valid namespace (`[A-Za-z0-9_-]+`), else throws `ValidationError`. */
export function checkNamespace(ns: string): string {
  if (NAMESPACE.test(ns)) return ns;
  throw new ValidationError(`invalid namespace '${ns}': use [A-Za-z0-9_-]`, {
    issues: [{ path: 'namespace', message: 'must match [A-Za-z0-9_-]+' }],
  });
}

/** `TROUPE_<NS>_TASKS`: the work-queue stream (namespace upper-cased, like the progress stream). */
export function tasksStreamName(ns: string): string {
  return `TROUPE_${ns.toUpperCase()}_TASKS`;
}

/** `troupe.<ns>.tasks.do.>`: what the tasks stream captures (dead letters have a stream of their own). */
export function tasksStreamSubjects(ns: string): string {
  return `troupe.${ns}.tasks.do.>`;
}

/** `TROUPE_<NS>_DEAD`: the stream keeping dead letters, with limits of its own. */
export function deadLetterStreamName(ns: string): string {
  return `TROUPE_${ns.toUpperCase()}_DEAD`;
}

/** `troupe.<ns>.tasks.do.<type>`: where a task for an agent type is queued. */
export function taskSubject(ns: string, type: string): string {
  return `troupe.${ns}.tasks.do.${type}`;
}

/** `troupe.<ns>.tasks.do.>`: what the workers' shared consumer takes. */
export function taskFilter(ns: string): string {
  return `troupe.${ns}.tasks.do.>`;
}

/** `troupe.<ns>.tasks.dead`: the default dead-letter subject (kept by the tasks stream). */
export function deadLetterSubjectFor(ns: string): string {
  return `troupe.${ns}.tasks.dead`;
}

/**
 * `troupe_<ns>_workers`: the one consumer over every type that workers of earlier versions shared. It
 * overlaps the per-type consumers, which a work queue forbids, so a worker deletes it.
 */
export function legacyWorkersConsumerName(ns: string): string {
  return `troupe_${ns}_workers`;
}

/** @deprecated the shared consumer is gone (one consumer per type now); see {@link legacyWorkersConsumerName}. */
export const workersConsumerName = legacyWorkersConsumerName;

/**
 * `troupe_<ns>_do_<type>` (dots written `=`): the durable pull consumer shared by every worker
 * hosting `type`, filtered on that type's task subject, so a worker only receives tasks it hosts.
 */
export function typeConsumerName(ns: string, type: string): string {
  return `troupe_${ns}_do_${type.replaceAll('.', '=')}`;
}

/** Header of a re-queued task: how many times workers handed it back on a clean shutdown. */
export const HANDBACKS_HEADER = 'Troupe-Handbacks';
/** Header of a re-queued task: failed deliveries before it was re-queued (they count against `maxDeliver`). */
export const FAILURES_HEADER = 'Troupe-Failures';

/** `troupe_<ns>_results`: the KV bucket of task results, keyed by task id. */
export function resultsBucketName(ns: string): string {
  return `troupe_${ns}_results`;
}

/** The header carrying a task's id: JetStream's own de-duplication id. */
export const TASK_ID_HEADER = 'Nats-Msg-Id';
