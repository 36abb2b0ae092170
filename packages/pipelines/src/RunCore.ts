import { type Context, context } from '@opentelemetry/api';
import {
  asCancellation,
  CancelledError,
  failureEvent,
  newId,
  type OutcomeEvent,
  onAbort,
  type ProgressEvent,
  type ProgressInput,
  type RunPhase,
  statusOfError,
  TimeoutError,
  toError,
  tracingOn,
} from '@troupe/core';
import { Observable, ReplaySubject, Subject } from 'rxjs';
import type { z } from 'zod';
import { Gate } from './Gate.js';
import { type Suspension, Suspensions } from './Suspensions.js';
import type { RunHandle, RunScope, RunStatus, RuntimeLike, TaskScope } from './scope.js';
import { noop } from './signals.js';
import { TaskList } from './taskList.js';
import { endRunSpan, type RunSpan, startRunSpan } from './tracing.js';

/** Options shared by everything that starts a run. */
export interface RunCoreOptions {
  /** Also emit this run's progress on the runtime (`runtime.progress$`, NATS); its agents' events join `progress$`. */
  runtime?: RuntimeLike | undefined;
  /** Aborting cancels the run. */
  signal?: AbortSignal | undefined;
  /** The run id (default: a new id). */
  runId?: string | undefined;
  /** Name of the run, shown in progress. */
  name?: string | undefined;
  /** What the run is for, shown in progress beside its name (`run.started.description`). */
  description?: string | undefined;
  /** Ms the whole run may take; then it ends `timed_out`. */
  timeout?: number | undefined;
  /** Progress events kept for late subscribers of `progress$` (default 0: subscribe before it starts). */
  replay?: number | undefined;
}

/** One run: its scope, its result, and control over it. */
export class RunCore<O = unknown> implements RunHandle<O>, RunScope {
  /** Shown in progress; may change until the run starts (a resumed run learns it from its journal). */
  name: string;
  description: string | undefined;
  readonly runtime: RuntimeLike | undefined;
  readonly gate = new Gate();
  readonly signal: AbortSignal;
  readonly result: Promise<O>;
  status: RunStatus = 'pending';
  readonly #controller = new AbortController();
  readonly #replay: number;
  #rootId: string | undefined;
  #runId: string | undefined;
  #subject: Subject<ProgressEvent> | undefined;
  #progress$: Observable<ProgressEvent> | undefined;
  #seq = 0;
  #forwarding = false;
  /** Tasks announced or started and not ended (closed when the run ends), and those started. */
  readonly #open = new TaskList('openSlot');
  readonly #running = new TaskList('runSlot');
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unlink: () => void = noop;
  #started = false;
  #begun = false;
  #reject: (err: Error) => void = noop;
  /** Where the run was made (its span's parent), and its span: only while tracing is on. */
  readonly #traceParent: Context | undefined;
  #span: RunSpan | undefined;

  readonly #body: () => Promise<O>;
  #resolve: (value: O) => void = noop;

  /** The questions of suspended tasks. */
  readonly suspensions: Suspensions = new Suspensions({ emitTask: (input) => this.emitTask(input) });
  /** The stable part of a task's question keys (default: its task id). */
  suspendKey: (taskId: string) => string = (taskId) => taskId;
  readonly #asked = new Map<string, { attempt: number; n: number }>();
  readonly #statusOf: ((value: O) => RunStatus) | undefined;
  /** The phase `run.started` announces (an orchestrated run starts `planning` or `executing`). */
  phase: RunPhase | undefined;

  /**
   * Starts `body` on the next microtask, unless `autoStart` is false (then on {@link start}).
   * `statusOf` says how a run whose body resolved ended (default `completed`).
   */
  constructor(
    options: RunCoreOptions & { autoStart?: boolean; statusOf?: (value: O) => RunStatus },
    body: () => Promise<O>,
  ) {
    this.#body = body;
    this.#statusOf = options.statusOf;
    this.#runId = options.runId;
    this.name = options.name ?? 'run';
    this.description = options.description;
    this.runtime = options.runtime;
    this.signal = this.#controller.signal;
    this.#replay = options.replay ?? 0;
    if (this.#replay > 0) this.#subject = new ReplaySubject(this.#replay);
    const user = options.signal;
    if (user) this.#unlink = onAbort(user, () => this.abort(asCancellation(user.reason)));
    const timeout = options.timeout;
    if (timeout !== undefined) {
      this.#timer = setTimeout(
        () =>
          this.abort(
            new TimeoutError(`run '${this.name}' timed out after ${timeout} ms`, { data: { timeout } }),
          ),
        timeout,
      );
    }
    this.result = new Promise<O>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.result.catch(noop);
    this.#traceParent = tracingOn() ? context.active() : undefined;
    if (options.autoStart !== false) this.start();
  }

  /** Starts the body on the next microtask (once). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    queueMicrotask(() => {
      if (this.#done()) return;
      this.#begun = true;
      if (this.status === 'pending') this.status = 'running';
      if (this.on) {
        const started: ProgressEvent = {
          kind: 'run.started',
          runId: this.runId,
          taskId: this.rootId,
          name: this.name,
          ts: Date.now(),
          seq: 0,
        };
        if (this.description !== undefined) started.description = this.description;
        if (this.phase !== undefined) started.status = this.phase;
        this.#publish(started);
      }
      let work: Promise<O>;
      try {
        this.#span = startRunSpan(this, this.#traceParent);
        work = this.#span ? context.with(this.#span.context, this.#body) : this.#body();
      } catch (err) {
        work = Promise.reject(err);
      }
      work.then(
        (value) => {
          if (this.#finish(this.#statusOf?.(value) ?? 'completed')) this.#resolve(value);
        },
        (err: unknown) => {
          const error = toError(err);
          if (this.#finish(statusOfError(error), error)) this.#reject(error);
        },
      );
    });
  }

  /** Whether anyone can see progress (skip building events otherwise). */
  get on(): boolean {
    return this.runtime?.wantsProgress === true || this.#replay > 0 || this.#subject?.observed === true;
  }

  /** The run id (made on first use: a run nobody watches or names never needs one). */
  get runId(): string {
    this.#runId ??= newId();
    return this.#runId;
  }

  /** The run's own task id (of `run.started`), parent of the top step. */
  get rootId(): string {
    this.#rootId ??= newId();
    return this.#rootId;
  }

  get parentOfTop(): string {
    return this.rootId;
  }

  get progress$(): Observable<ProgressEvent> {
    this.#progress$ ??= this.#makeProgress$();
    return this.#progress$;
  }

  pause(): void {
    if (this.#done() || !this.gate.close()) return;
    this.status = 'paused';
    // Only work that started pauses: what waits for its turn stays pending or queued.
    for (const task of this.#running.toArray()) this.emitFor(task, { kind: 'task.paused' });
  }

  resume(): void;
  resume(taskId: string, answer: unknown): Promise<void>;
  resume(taskId?: string, answer?: unknown): void | Promise<void> {
    if (taskId !== undefined) return this.suspensions.answer(taskId, answer);
    if (!this.gate.open()) return;
    if (!this.#done()) this.status = this.#begun ? 'running' : 'pending';
    for (const task of this.#running.toArray()) this.emitFor(task, { kind: 'task.resumed' });
  }

  get suspended(): readonly Suspension[] {
    return this.suspensions.list();
  }

  suspend(task: TaskScope, question: string, schema: z.ZodType): Promise<unknown> {
    const taskId = task.taskId;
    let asked = this.#asked.get(taskId);
    // Counted per attempt, so a retry asks its questions under the same keys (and gets the answers).
    if (asked === undefined || asked.attempt !== task.attempt) {
      asked = { attempt: task.attempt, n: 0 };
      this.#asked.set(taskId, asked);
    }
    asked.n += 1;
    const key = `${this.suspendKey(taskId)}#${asked.n}`;
    return this.suspensions.ask(
      { taskId, parentId: task.parentId, key },
      question,
      { zod: schema },
      task.signal,
    );
  }

  /** Emits an event for a task named by id (a run-level event when it is the run's own id). */
  emitTask(input: ProgressInput & { taskId: string }): void {
    if (!this.on) return;
    const event: Record<string, unknown> = { ...input, runId: this.runId, ts: Date.now(), seq: 0 };
    this.#publish(event as ProgressEvent);
  }

  /** Numbers this run's next events after `seq` (a run resumed from its journal continues its numbering). */
  continueAfter(seq: number): void {
    if (seq > this.#seq) this.#seq = seq;
  }

  cancel(reason = 'cancelled'): void {
    this.abort(new CancelledError(reason));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#done()) this.cancel('disposed');
    await this.result.then(noop, noop);
  }

  created(task: TaskScope, queued: boolean, dependsOn?: readonly string[]): void {
    if (!this.on) return;
    this.#open.add(task);
    if (dependsOn !== undefined && dependsOn.length > 0)
      this.emitFor(task, { kind: 'task.created', name: task.name, dependsOn: [...dependsOn] });
    else this.emitFor(task, { kind: 'task.created', name: task.name });
    if (queued) this.emitFor(task, { kind: 'task.queued' });
  }

  started(task: TaskScope): void {
    if (!this.on) return;
    this.#open.add(task);
    this.#running.add(task);
    this.emitFor(task, { kind: 'task.started', name: task.name, attempt: task.attempt });
  }

  ended(task: TaskScope, outcome: OutcomeEvent): void {
    if (task.ended) return;
    task.ended = true;
    this.#open.delete(task);
    this.#running.delete(task);
    this.emitFor(task, outcome);
  }

  emitFor(task: TaskScope, input: ProgressInput): void {
    if (!this.on) return;
    // Built key by key: spreading `input` and adding fields after it made V8 slow this path ~40×.
    const taskId = input.taskId ?? task.taskId;
    const event: Record<string, unknown> = { kind: input.kind, runId: this.runId, taskId };
    const parent = input.parentId ?? (taskId !== task.taskId ? task.taskId : task.parentId);
    if (parent !== undefined) event.parentId = parent;
    const agent = input.agent ?? task.agent;
    if (agent !== undefined) event.agent = agent;
    event.ts = Date.now();
    event.seq = 0;
    for (const key in input) {
      if (key !== 'kind' && key !== 'taskId' && key !== 'parentId' && key !== 'agent')
        event[key] = (input as Record<string, unknown>)[key];
    }
    this.#publish(event as ProgressEvent);
  }

  #publish(event: ProgressEvent): void {
    event.seq = ++this.#seq;
    this.#subject?.next(event);
    const runtime = this.runtime;
    if (!runtime) return;
    this.#forwarding = true;
    try {
      runtime.emit(event);
    } finally {
      this.#forwarding = false;
    }
  }

  #makeProgress$(): Observable<ProgressEvent> {
    this.#subject ??= new Subject();
    const own = this.#subject.asObservable();
    const runtime = this.runtime;
    if (!runtime) return own;
    // The runtime's own events for this run (agents' started/completed, handlers' emits) join in;
    // ours come back through it synchronously while forwarding, and are skipped.
    return new Observable<ProgressEvent>((subscriber) => {
      const sub = own.subscribe(subscriber);
      sub.add(
        runtime.progress$.subscribe((e) => {
          if (!this.#forwarding && e.runId === this.runId && !this.#done()) subscriber.next(e);
        }),
      );
      return sub;
    });
  }

  #done(): boolean {
    return (
      this.status === 'completed' ||
      this.status === 'failed' ||
      this.status === 'timed_out' ||
      this.status === 'cancelled'
    );
  }

  /** Ends the run with `reason` (a `CancelledError` or `TimeoutError`), aborting every step's signal. */
  abort(reason: Error): void {
    if (this.#done()) return;
    this.#controller.abort(reason);
    if (this.#finish(statusOfError(reason), reason)) this.#reject(reason);
  }

  /** Ends the run once: closes open tasks and the stream. Returns false if it had ended. */
  #finish(status: RunStatus, error?: Error): boolean {
    if (this.#done()) return false;
    this.status = status;
    endRunSpan(this.#span, status, error);
    clearTimeout(this.#timer);
    this.#unlink();
    this.gate.open();
    if (this.on) {
      // No task outlives its run: whatever is still open ends now, before run.finished.
      const reason = this.signal.aborted
        ? toError(this.signal.reason)
        : new CancelledError(`run '${this.name}' ended before this task did`);
      for (const task of this.#open.toArray()) this.ended(task, failureEvent(reason));
      this.#publish({
        kind: 'run.finished',
        runId: this.runId,
        taskId: this.rootId,
        status: runEnd(status),
        ts: Date.now(),
        seq: 0,
      });
    }
    this.#subject?.complete();
    return true;
  }
}

function runEnd(status: RunStatus): 'completed' | 'failed' | 'timed_out' | 'cancelled' {
  return status === 'pending' || status === 'running' || status === 'paused' ? 'failed' : status;
}
