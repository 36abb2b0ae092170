import type { Plan, Route } from '@troupe/agents';
import type { ProgressEvent, Store } from '@troupe/core';
import type { OrchestrateReport, SubTaskStatus } from './types.js';

/**
 * The run journal: what an orchestrated run writes to its store so it survives a crash, can be
 * resumed without redoing finished sub-tasks, and replayed. Keys, under `runs/<run>/`:
 * `meta` (goal, status, sessions), `plan` (plan, routes, cards, re-plans), `log/<n>` (event
 * chunks, in order), `done/<sub-task>` (each finished sub-task: result, executor, tokens, cost,
 * duration), `answers/<key>` (answers to suspended tasks' questions).
 */

const SAFE = /[A-Za-z0-9_.:-]/;

/** A string as one store key segment: `[A-Za-z0-9_.:-]` kept, every other byte `=XX`. */
export function keyToken(text: string): string {
  let out = '';
  for (const ch of text) {
    if (SAFE.test(ch)) out += ch;
    else for (const byte of new TextEncoder().encode(ch)) out += `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out || '=';
}

/** The store keys of one run's journal. */
export function journalKeys(runId: string) {
  const base = `runs/${keyToken(runId)}`;
  return {
    meta: `${base}/meta`,
    plan: `${base}/plan`,
    log: `${base}/log/`,
    chunk: (n: number) => `${base}/log/${String(n).padStart(10, '0')}`,
    done: `${base}/done/`,
    doneOf: (id: string) => `${base}/done/${keyToken(id)}`,
    answers: `${base}/answers/`,
    answerOf: (key: string) => `${base}/answers/${keyToken(key)}`,
  };
}

/** Status of a journaled run: `running` until it ends (or forever, if its process died). */
export type RunJournalStatus = 'running' | OrchestrateReport['status'] | 'cancelled';

/** `runs/<run>/meta`. */
export interface RunMeta {
  v: 1;
  runId: string;
  goal: string;
  name: string;
  context?: string;
  status: RunJournalStatus;
  /** Sessions so far (a resume starts one more). */
  sessions: number;
  createdAt: number;
  updatedAt: number;
  /** The final report's status line fields, once it ended. */
  summary?: { completed: number; total: number; tokens: number; costUsd: number };
}

/** A sub-task that left the plan (failed and re-planned, or dropped), kept for the report. */
export interface RetiredSubTask {
  id: string;
  taskId: string;
  name: string;
  executor: string;
  status: SubTaskStatus;
  error?: { code: string; message: string };
}

/** `runs/<run>/plan`. */
export interface PlanRecord {
  plan: Plan;
  routes: Route[];
  replans: number;
  /** Sub-task id → its card's task id. */
  cards: Record<string, string>;
  retired: RetiredSubTask[];
}

/** `runs/<run>/done/<id>`: a finished sub-task, never run again. */
export interface DoneRecord {
  id: string;
  taskId: string;
  executor: string;
  model?: string;
  result: unknown;
  attempts: number;
  tokens: { input: number; output: number };
  costUsd: number;
  startedAt: number;
  finishedAt: number;
}

/** `runs/<run>/answers/<key>`. */
export interface AnswerRecord {
  key: string;
  taskId: string;
  question: string;
  answer: unknown;
  at: number;
}

/** Everything a journal holds about one run. */
export interface JournalState {
  meta: RunMeta;
  plan: PlanRecord | undefined;
  events: ProgressEvent[];
  done: Map<string, DoneRecord>;
  answers: Map<string, AnswerRecord>;
  /** Event chunks written so far. */
  chunks: number;
}

/** Reads a run's journal; undefined when the store has no such run. */
export async function readJournal(store: Store, runId: string): Promise<JournalState | undefined> {
  const keys = journalKeys(runId);
  const meta = await store.get<RunMeta>(keys.meta);
  if (meta === undefined) return undefined;
  const chunkKeys = await store.keys(keys.log);
  const events: ProgressEvent[] = [];
  for (const key of chunkKeys) for (const e of (await store.get<ProgressEvent[]>(key)) ?? []) events.push(e);
  const done = new Map<string, DoneRecord>();
  for (const key of await store.keys(keys.done)) {
    const record = await store.get<DoneRecord>(key);
    if (record !== undefined) done.set(record.id, record);
  }
  const answers = new Map<string, AnswerRecord>();
  for (const key of await store.keys(keys.answers)) {
    const record = await store.get<AnswerRecord>(key);
    if (record !== undefined) answers.set(record.key, record);
  }
  const last = chunkKeys.at(-1);
  return {
    meta,
    plan: await store.get<PlanRecord>(keys.plan),
    events,
    done,
    answers,
    chunks: last === undefined ? 0 : Number(last.slice(keys.log.length)) + 1,
  };
}

/**
 * Writes one session of a run: events in ordered chunks (batched while a write is under way),
 * and the records above. A failed write is kept and thrown by the next `checkpoint` or `close`,
 * so a run never reports success on a journal it could not write.
 */
export class Journal {
  readonly store: Store;
  readonly keys: ReturnType<typeof journalKeys>;
  #chunks: number;
  #buffer: ProgressEvent[] = [];
  #writing: Promise<void> | undefined;
  #failure: unknown;

  constructor(store: Store, runId: string, chunks = 0) {
    this.store = store;
    this.keys = journalKeys(runId);
    this.#chunks = chunks;
  }

  /** Queues an event; it is written with the others that arrive meanwhile. */
  append(event: ProgressEvent): void {
    this.#buffer.push(event);
    this.#writing ??= this.#drain();
  }

  /** Resolves once every event appended so far is written; throws a write failure. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    this.#throwFailure();
  }

  /** Writes a record after the events before it (so the log never lags a checkpoint it explains). */
  async checkpoint(key: string, value: unknown): Promise<void> {
    this.#throwFailure();
    await this.store.set(key, value);
  }

  async #drain(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer;
      this.#buffer = [];
      try {
        await this.store.set(this.keys.chunk(this.#chunks), batch);
        this.#chunks += 1;
      } catch (err) {
        this.#failure ??= err;
      }
    }
    this.#writing = undefined;
  }

  #throwFailure(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
