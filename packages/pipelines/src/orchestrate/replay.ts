import {
  initialProgress,
  type ProgressEvent,
  reduceProgress,
  type Store,
  type TaskProgress,
  validationErrorFromZod,
} from '@troupe/core';
import { z } from 'zod';
import { NotSuspendedError, type Suspension } from '../Suspensions.js';
import { type AnswerRecord, journalKeys, type RunMeta, readJournal } from './journal.js';
import { UnknownRunError } from './suspensionsAgent.js';

/**
 * Rebuilds a journaled run's `TaskProgress` from its stored event log (`runs/<run>/log/…`): the
 * same reducer over the same events, so it equals the live final snapshot of the run (and of a
 * resumed run, whose `progress$` replays the journal first). Rejects with `UnknownRunError`.
 * @example
 * const progress = await replayRun(runId, await FileStore.open({ dir: '.troupe' }));
 */
export async function replayRun(runId: string, store: Store): Promise<TaskProgress> {
  return (await runEvents(runId, store)).reduce(reduceProgress, initialProgress());
}

/** A journaled run's events in the order they were written (for a timeline); rejects with `UnknownRunError`. */
export async function runEvents(runId: string, store: Store): Promise<ProgressEvent[]> {
  const state = await readJournal(store, runId);
  if (state === undefined) throw new UnknownRunError(runId, 'in the store');
  return state.events;
}

/** The journaled runs in `store`, newest first (`status` stays `running` for a run whose process died). */
export async function listRuns(store: Store): Promise<RunMeta[]> {
  const metas: RunMeta[] = [];
  for (const key of await store.keys('runs/')) {
    if (!key.endsWith('/meta')) continue;
    const meta = await store.get<RunMeta>(key);
    if (meta !== undefined) metas.push(meta);
  }
  return metas.sort((a, b) => b.updatedAt - a.updatedAt);
}

/** The questions a journaled run's tasks were left waiting on (asked, never answered), oldest first. */
export async function pendingQuestions(runId: string, store: Store): Promise<Suspension[]> {
  const state = await readJournal(store, runId);
  if (state === undefined) throw new UnknownRunError(runId, 'in the store');
  const open = new Map<string, Suspension>();
  for (const e of state.events) {
    if (e.kind === 'task.suspended') {
      const s: Suspension = { taskId: e.taskId, key: e.key ?? e.taskId, question: e.question, since: e.ts };
      if (e.parentId !== undefined) s.parentId = e.parentId;
      if (e.schema !== undefined) s.schema = e.schema;
      open.set(s.key, s);
    } else if (e.kind === 'task.answered') open.delete(e.key ?? e.taskId);
  }
  for (const key of state.answers.keys()) open.delete(key);
  return [...open.values()];
}

/**
 * Answers a suspended task of a journaled run that no process drives now (`troupe answer`): the
 * answer is validated against the question's JSON Schema (`ValidationError` naming the field) and
 * stored; `resumeRun` then gives it to the task when it asks again. `id`: the task id or the
 * question's key. Rejects with `NotSuspendedError` when nothing waits there.
 */
export async function answerRun(options: {
  store: Store;
  runId: string;
  id: string;
  answer: unknown;
}): Promise<void> {
  const { store, runId, id, answer } = options;
  const pending = await pendingQuestions(runId, store);
  const question =
    pending.find((q) => q.key === id) ??
    pending.find((q) => q.taskId === id) ??
    pending.find((q) => q.key.startsWith(`${id}#`) || q.key.startsWith(`${id}/`));
  if (question === undefined)
    throw new NotSuspendedError(
      id,
      pending.map((q) => q.taskId),
    );
  let value = answer;
  if (question.schema !== undefined && typeof question.schema === 'object' && question.schema !== null) {
    const schema = z.fromJSONSchema(question.schema as Parameters<typeof z.fromJSONSchema>[0]);
    const parsed = schema.safeParse(answer);
    if (!parsed.success)
      throw validationErrorFromZod(parsed.error, 'answer', `answer to '${question.question}'`);
    value = parsed.data;
  }
  const record: AnswerRecord = {
    key: question.key,
    taskId: question.taskId,
    question: question.question,
    answer: value,
    at: Date.now(),
  };
  await store.set(journalKeys(runId).answerOf(question.key), record);
}
