import {
  asCancellation,
  ClosedError,
  failureEvent,
  onAbort,
  type ProgressEvent,
  statusOfError,
  TimeoutError,
  toError,
  ValidationError,
} from '@troupe/core';
import { type Observable, ReplaySubject } from 'rxjs';
import { toAsyncIterator } from './asyncIterable.js';
import { exec } from './exec.js';
import { concurrencyLimit } from './limits.js';
import type { TaskAssignment } from './messages.js';
import { RunCore } from './RunCore.js';
import { StepCtx } from './StepCtx.js';
import type { Suspension } from './Suspensions.js';
import type { RunHandle, RunStatus, Step } from './scope.js';
import { allowManyListeners, raceAbort, WIDE } from './signals.js';
import { formatSummary } from './summary.js';
import { type TaskDefaults, taskStep } from './taskStep.js';
import type {
  TaskGroupOptions,
  TaskGroupResults,
  TaskRecord,
  TaskSpec,
  TaskStatus,
  WaitOptions,
} from './taskTypes.js';

interface TaskState {
  record: TaskRecord;
  step: Step<TaskAssignment, unknown>;
  assignment: TaskAssignment;
  ctx: StepCtx;
}

const TERMINAL = new Set<TaskStatus>(['completed', 'failed', 'timed_out', 'cancelled']);

/**
 * Batch dispatch of sub-tasks to agents (or functions): add tasks, spawn them
 * all under a concurrency limit, watch X/Y progress, collect results as they
 * finish, time out, retry, cancel. Also a {@link RunHandle}.
 * @example
 * const group = new TaskGroup('deploy design system', { runtime, maxConcurrent: 4 })
 *   .addTask('deploy tokens', { agent: 'coder', model: 'sonnet', prompt: 'Deploy the design tokens' })
 *   .addTask('write docs', { agent: 'writer', model: 'sonnet', prompt: 'Document the design system' });
 * const results = await group.spawnAll().waitForCompletion({ timeout: 300_000 });
 * group.printSummary();
 */
export class TaskGroup implements RunHandle<TaskGroupResults>, AsyncIterable<TaskRecord> {
  /** The group's name. */
  readonly name: string;
  /** Each task's record as it finishes (replayed to late subscribers); completes with the group. */
  readonly results$: Observable<TaskRecord>;
  /** Resolves with the results once every task finished (never rejects on task failures). */
  readonly result: Promise<TaskGroupResults>;
  readonly #core: RunCore<TaskGroupResults>;
  readonly #defaults: TaskDefaults;
  readonly #max: number;
  readonly #timeout: number | undefined;
  readonly #tasks: TaskState[] = [];
  readonly #labels = new Set<string>();
  readonly #queue: TaskState[] = [];
  readonly #finished$ = new ReplaySubject<TaskRecord>();
  #head = 0;
  #running = 0;
  #finished = 0;
  #spawned = false;
  #begun = false;
  #done = false;
  #startedAt: number | undefined;
  #endedAt: number | undefined;
  #resolve: (results: TaskGroupResults) => void = () => {};

  constructor(name: string, options: TaskGroupOptions = {}) {
    const max = concurrencyLimit(`TaskGroup '${name}'`, 'maxConcurrent', options.maxConcurrent);
    this.name = name;
    this.#max = max;
    this.#timeout = options.timeout;
    this.#defaults = {
      runtime: options.runtime,
      group: name,
      agent: options.agent,
      model: options.model,
      taskTimeout: options.taskTimeout,
      retries: options.retries,
      backoff: options.backoff,
    };
    const finished = new Promise<TaskGroupResults>((resolve) => {
      this.#resolve = resolve;
    });
    this.#core = new RunCore<TaskGroupResults>(
      {
        runtime: options.runtime,
        signal: options.signal,
        runId: options.runId,
        name,
        description: options.description,
        replay: options.replay,
        autoStart: false,
      },
      () => this.#begin(finished),
    );
    // Settles after the run itself ended, so `run.finished` has been emitted by then.
    const ended = this.#core.result;
    this.result = finished.then((results) =>
      ended.then(
        () => results,
        () => results,
      ),
    );
    this.results$ = this.#finished$.asObservable();
    onAbort(this.#core.signal, () => this.#endAll(asCancellation(this.#core.signal.reason)));
  }

  /** The run id of the group's progress events. */
  get runId(): string {
    return this.#core.runId;
  }

  /** The group's progress events (each task a child of the group's run). */
  get progress$(): Observable<ProgressEvent> {
    return this.#core.progress$;
  }

  /** `pending` until spawned, then `running`/`paused`, then how the group ended. */
  get status(): RunStatus {
    return this.#core.status;
  }

  /** Adds a task (chainable). Tasks added after `spawnAll` start as capacity allows. */
  addTask(label: string, spec: TaskSpec = {}): this {
    if (this.#done) throw new ClosedError(`TaskGroup '${this.name}' has finished`);
    if (this.#labels.has(label)) {
      throw new ValidationError(`TaskGroup '${this.name}': a task labelled '${label}' exists already`, {
        issues: [{ path: 'label', message: 'must be unique in the group' }],
      });
    }
    const { step, assignment, agent } = taskStep(label, spec, this.#defaults);
    const ctx = new StepCtx(this.#core, this.#core.signal, undefined, { name: label, agent });
    const record: TaskRecord = {
      label,
      taskId: ctx.taskId,
      status: 'pending',
      attempts: 0,
      createdAt: Date.now(),
    };
    if (agent !== undefined) record.agent = agent;
    if (assignment.model !== undefined) record.model = assignment.model;
    const task: TaskState = { record, step, assignment, ctx };
    this.#labels.add(label);
    this.#tasks.push(task);
    if (this.#begun) this.#enqueue(task);
    return this;
  }

  /** Dispatches every task (up to `maxConcurrent` at once); chainable. Idempotent. */
  spawnAll(): this {
    if (this.#spawned) return this;
    this.#spawned = true;
    this.#startedAt = Date.now();
    const timeout = this.#timeout;
    if (timeout !== undefined) this.#expireAfter(timeout);
    this.#core.start();
    return this;
  }

  /** Resolves with the results once every task finished (spawning first if needed); never rejects on task failures. */
  waitForCompletion(options: WaitOptions = {}): Promise<TaskGroupResults> {
    this.spawnAll();
    if (options.timeout !== undefined && !this.#done) this.#expireAfter(options.timeout);
    return options.signal ? raceAbort(this.result, options.signal) : this.result;
  }

  /** `"finished/total"`, e.g. `"3/3"`. */
  getProgress(): string {
    return `${this.#finished}/${this.#tasks.length}`;
  }

  /** Tasks not finished yet (pending or running). */
  getPendingCount(): number {
    return this.#tasks.length - this.#finished;
  }

  /** Counts and every task's record, as of now. */
  getResults(): TaskGroupResults {
    const count = (s: TaskStatus) => this.#tasks.filter((t) => t.record.status === s).length;
    return {
      name: this.name,
      total: this.#tasks.length,
      completed: count('completed'),
      failed: count('failed'),
      timedOut: count('timed_out'),
      cancelled: count('cancelled'),
      pending: this.getPendingCount(),
      running: count('running'),
      tasks: this.#tasks.map((t) => this.#snapshot(t)),
    };
  }

  /** Cancels the group: pending tasks never start, running ones' signals abort; all end `cancelled`. */
  cancel(reason = 'cancelled'): void {
    this.#core.cancel(reason);
  }

  /** Starts no new task until {@link resume}; running ones go on. */
  pause(): void {
    this.#core.pause();
  }

  /** Lets tasks start again; with a task id, answers that suspended task's question instead. */
  resume(): void;
  resume(taskId: string, answer: unknown): Promise<void>;
  resume(taskId?: string, answer?: unknown): void | Promise<void> {
    if (taskId !== undefined) return this.#core.resume(taskId, answer);
    this.#core.resume();
    this.#pump();
  }

  /** The questions of suspended tasks, oldest first. */
  get suspended(): readonly Suspension[] {
    return this.#core.suspended;
  }

  /** The results as a readable table. */
  summary(): string {
    const end = this.#endedAt ?? Date.now();
    return formatSummary(
      this.getResults(),
      this.#startedAt === undefined ? undefined : end - this.#startedAt,
    );
  }

  /** Prints {@link summary} (to `console.log`, or `write`). */
  printSummary(write: (text: string) => void = console.log): void {
    write(this.summary());
  }

  /**
   * Iterates task records as they finish (streaming results). Like {@link waitForCompletion}, it
   * spawns the group if that was not done yet: iterating a group is asking for its results.
   */
  [Symbol.asyncIterator](): AsyncIterator<TaskRecord> {
    this.spawnAll();
    return toAsyncIterator(this.results$);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#done) this.cancel('disposed');
    await this.result;
  }

  #begin(finished: Promise<TaskGroupResults>): Promise<TaskGroupResults> {
    this.#begun = true;
    if (this.#tasks.length > WIDE) allowManyListeners(this.#core.signal);
    // Every task is announced before the first starts, so the run knows the whole from the start;
    // those that must wait for a slot (or for a resume) are announced queued.
    const closed = this.#core.gate.closed;
    for (const task of this.#tasks) {
      if (task.record.status !== 'pending') continue;
      this.#core.created(task.ctx, closed || this.#queue.length >= this.#max);
      this.#queue.push(task);
    }
    this.#pump();
    this.#checkDone();
    return finished;
  }

  #enqueue(task: TaskState): void {
    const waits = this.#core.gate.closed || this.#queue.length - this.#head + this.#running >= this.#max;
    this.#core.created(task.ctx, waits);
    this.#queue.push(task);
    this.#pump();
  }

  #pump(): void {
    const core = this.#core;
    while (
      this.#running < this.#max &&
      this.#head < this.#queue.length &&
      !core.gate.closed &&
      !core.signal.aborted
    ) {
      const task = this.#queue[this.#head++] as TaskState;
      if (task.record.status === 'pending') this.#launch(task);
    }
  }

  #launch(task: TaskState): void {
    this.#running += 1;
    task.record.status = 'running';
    task.record.startedAt = Date.now();
    exec(task.step, task.assignment, task.ctx).then(
      (value) => this.#settle(task, value, undefined),
      (err: unknown) => this.#settle(task, undefined, toError(err)),
    );
  }

  #settle(task: TaskState, value: unknown, error: Error | undefined): void {
    this.#running -= 1;
    const record = task.record;
    if (!TERMINAL.has(record.status)) {
      record.attempts = task.ctx.attempt;
      record.finishedAt = Date.now();
      if (error === undefined) {
        record.status = 'completed';
        record.result = value;
      } else {
        record.status = statusOfError(error);
        record.error = error;
      }
      this.#finishOne(task);
    }
    this.#pump();
    this.#checkDone();
  }

  #finishOne(task: TaskState): void {
    this.#finished += 1;
    this.#finished$.next(this.#snapshot(task));
  }

  /** Ends every unfinished task with `reason` (the group was cancelled or timed out). */
  #endAll(reason: Error): void {
    const status = statusOfError(reason);
    for (const task of this.#tasks) {
      const record = task.record;
      if (TERMINAL.has(record.status)) continue;
      if (record.status === 'running') record.attempts = task.ctx.attempt;
      record.status = status;
      record.error = reason;
      record.finishedAt = Date.now();
      this.#core.ended(task.ctx, failureEvent(reason));
      this.#finishOne(task);
    }
    this.#spawned = true;
    this.#begun = true;
    if (this.#tasks.length > WIDE) allowManyListeners(this.#core.signal);
    this.#checkDone();
  }

  #expireAfter(ms: number): void {
    const timer = setTimeout(
      () =>
        this.#core.abort(
          new TimeoutError(`TaskGroup '${this.name}' timed out after ${ms} ms`, { data: { timeout: ms } }),
        ),
      ms,
    );
    void this.result.then(() => clearTimeout(timer));
  }

  #checkDone(): void {
    if (this.#done || !this.#begun || this.#finished < this.#tasks.length) return;
    this.#done = true;
    this.#endedAt = Date.now();
    this.#finished$.complete();
    this.#resolve(this.getResults());
  }

  #snapshot(task: TaskState): TaskRecord {
    const r = task.record;
    return r.status === 'running' ? { ...r, attempts: task.ctx.attempt } : { ...r };
  }
}

/**
 * A new {@link TaskGroup} (the design note's factory).
 * @example
 * const results = await createGroup('research', { runtime, agent: 'researcher' })
 *   .addTask('topic A', { prompt: '…' })
 *   .addTask('topic B', { prompt: '…' })
 *   .spawnAll()
 *   .waitForCompletion();
 */
export function createGroup(name: string, options: TaskGroupOptions = {}): TaskGroup {
  return new TaskGroup(name, options);
}
