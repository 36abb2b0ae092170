import {
  answerSchemaOf,
  onAbort,
  type ProgressInput,
  resultPreview,
  TroupeError,
  validationErrorFromZod,
} from '@troupe/core';
import { z } from 'zod';
import { raceAbort } from './signals.js';

/** Stable code of {@link NotSuspendedError}. */
export const NOT_SUSPENDED = 'NOT_SUSPENDED';

/** `resume(taskId, answer)` named a task that is not waiting for an answer (`data.taskId`, `data.waiting`). */
export class NotSuspendedError extends TroupeError {
  constructor(taskId: string, waiting: readonly string[]) {
    super(
      NOT_SUSPENDED,
      `task '${taskId}' is not waiting for an answer${waiting.length ? ` (waiting: ${waiting.join(', ')})` : ''}`,
      { data: { taskId, waiting: [...waiting] } },
    );
  }
}

/** A question a suspended task waits on. */
export interface Suspension {
  /** The task that waits (its card shows `suspended`). */
  taskId: string;
  /** Its parent task, when known. */
  parentId?: string;
  /** Which question of the task this is; stable across a restart of the run (answers are kept by it). */
  key: string;
  /** What it asks. */
  question: string;
  /** JSON Schema of the answer it accepts. */
  schema?: unknown;
  /** When it was asked, ms since the epoch. */
  since: number;
}

/** What a suspension needs from its run. */
export interface SuspensionHost {
  /** Emits an event for `taskId` (with `parentId`). */
  emitTask(input: ProgressInput & { taskId: string }): void;
}

interface Pending extends Suspension {
  validate: z.ZodType | undefined;
  settle: (answer: unknown) => void;
  unlink: () => void;
}

/**
 * The questions of one run's suspended tasks: a task asks (`ask`) and waits while its siblings
 * go on; `answer(taskId, answer)` validates the answer and lets that task alone continue. Answers
 * are kept by key, so a task that asks the same question again (a retry, or the run resumed from
 * its journal after a restart) gets the answer at once; `onAnswer` (the journal) stores an answer
 * before the task sees it.
 */
export class Suspensions {
  readonly #host: SuspensionHost;
  readonly #pending = new Map<string, Pending[]>();
  readonly #answers = new Map<string, unknown>();
  /** Called with each answer before the task that asked gets it (the journal stores it here). */
  onAnswer: ((suspension: Suspension, answer: unknown) => Promise<void>) | undefined;

  constructor(host: SuspensionHost) {
    this.#host = host;
  }

  /** The questions waiting now, oldest first. */
  list(): Suspension[] {
    const out: Suspension[] = [];
    for (const list of this.#pending.values()) for (const p of list) out.push(publicOf(p));
    return out.sort((a, b) => a.since - b.since);
  }

  /** Records an answer known before its question is asked (from a journal). */
  preAnswer(key: string, answer: unknown): void {
    this.#answers.set(key, answer);
  }

  /**
   * Suspends `taskId` with a question until it is answered; an answer already known for `key`
   * (and valid) comes back at once. Rejects with the signal's reason if it aborts first.
   */
  ask(
    task: { taskId: string; parentId?: string | undefined; key: string },
    question: string,
    schema: { zod?: z.ZodType; json?: unknown },
    signal: AbortSignal,
  ): Promise<unknown> {
    const validate = schema.zod ?? fromJson(schema.json);
    if (this.#answers.has(task.key)) {
      const known = this.#answers.get(task.key);
      const parsed = validate ? validate.safeParse(known) : { success: true as const, data: known };
      if (parsed.success) return Promise.resolve(parsed.data);
    }
    const json = schema.json ?? (schema.zod ? answerSchemaOf(schema.zod) : undefined);
    return raceAbort(
      new Promise<unknown>((resolve) => {
        const pending: Pending = {
          taskId: task.taskId,
          key: task.key,
          question,
          since: Date.now(),
          validate,
          settle: resolve,
          unlink: () => {},
        };
        if (task.parentId !== undefined) pending.parentId = task.parentId;
        if (json !== undefined) pending.schema = json;
        const list = this.#pending.get(task.taskId) ?? [];
        list.push(pending);
        this.#pending.set(task.taskId, list);
        const event: ProgressInput & { taskId: string } = {
          kind: 'task.suspended',
          taskId: task.taskId,
          question,
          key: task.key,
        };
        if (json !== undefined) event.schema = json;
        if (task.parentId !== undefined) event.parentId = task.parentId;
        this.#host.emitTask(event);
        pending.unlink = onAbort(signal, () => this.#drop(pending));
      }),
      signal,
    );
  }

  /**
   * Answers the question `id` names (a task id or a question key; a task waiting on several takes
   * them oldest first): validates it (`ValidationError` naming the field), stores it through
   * `onAnswer`, then lets that task go on. `NotSuspendedError` when nothing waits under `id`.
   */
  async answer(id: string, answer: unknown): Promise<void> {
    const pending = this.#find(id);
    if (pending === undefined)
      throw new NotSuspendedError(
        id,
        this.list().map((s) => s.taskId),
      );
    let value = answer;
    if (pending.validate) {
      const parsed = pending.validate.safeParse(answer);
      if (!parsed.success) {
        throw validationErrorFromZod(parsed.error, 'answer', `answer to '${pending.question}'`);
      }
      value = parsed.data;
    }
    // Taken off the list first: a second answer to the same question is refused, not applied twice.
    this.#drop(pending);
    this.#answers.set(pending.key, value);
    await this.onAnswer?.(publicOf(pending), value);
    const event: ProgressInput & { taskId: string } = {
      kind: 'task.answered',
      taskId: pending.taskId,
      key: pending.key,
      answer: resultPreview(value),
    };
    if (pending.parentId !== undefined) event.parentId = pending.parentId;
    this.#host.emitTask(event);
    pending.settle(value);
  }

  #find(id: string): Pending | undefined {
    const own = this.#pending.get(id)?.[0];
    if (own !== undefined) return own;
    for (const list of this.#pending.values()) for (const p of list) if (p.key === id) return p;
    return undefined;
  }

  #drop(pending: Pending): void {
    pending.unlink();
    const list = this.#pending.get(pending.taskId);
    if (list === undefined) return;
    const i = list.indexOf(pending);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#pending.delete(pending.taskId);
  }
}

function publicOf(p: Pending): Suspension {
  const s: Suspension = { taskId: p.taskId, key: p.key, question: p.question, since: p.since };
  if (p.parentId !== undefined) s.parentId = p.parentId;
  if (p.schema !== undefined) s.schema = p.schema;
  return s;
}

/** A validator from a JSON Schema (a question asked from another process); none when it cannot be read. */
function fromJson(json: unknown): z.ZodType | undefined {
  if (json === undefined || json === null || typeof json !== 'object') return undefined;
  try {
    return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return undefined;
  }
}
