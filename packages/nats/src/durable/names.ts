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

/** `troupe.<ns>.tasks.>`: everything the tasks stream captures (tasks and dead letters). */
export function tasksStreamSubjects(ns: string): string {
  return `troupe.${ns}.tasks.>`;
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

/** `troupe_<ns>_workers`: the durable pull consumer every worker of a namespace shares. */
export function workersConsumerName(ns: string): string {
  return `troupe_${ns}_workers`;
}

/** `troupe_<ns>_results`: the KV bucket of task results, keyed by task id. */
export function resultsBucketName(ns: string): string {
  return `troupe_${ns}_results`;
}

/** The header carrying a task's id: JetStream's own de-duplication id. */
export const TASK_ID_HEADER = 'Nats-Msg-Id';
