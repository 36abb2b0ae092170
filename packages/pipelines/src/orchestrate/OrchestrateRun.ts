import type { Plan, RunTracking } from '@troupe/agents';
import { trackRun } from '@troupe/agents';
import { CancelledError, newId, type ProgressEvent, toError } from '@troupe/core';
import { type Observable, Subject, type Subscription } from 'rxjs';
import { concurrencyLimit } from '../limits.js';
import { RunCore } from '../RunCore.js';
import type { Suspension } from '../Suspensions.js';
import type { RunStatus } from '../scope.js';
import { linkedController } from '../signals.js';
import { executorsOf } from './executors.js';
import { runFlow } from './flow.js';
import { Journal, type JournalState, type RunMeta } from './journal.js';
import { RunState } from './RunState.js';
import { priorCards } from './resumeCards.js';
import { type QuestionSink, serveQuestions, UnknownRunError } from './suspensionsAgent.js';
import type { OrchestrateHandle, OrchestrateOptions, OrchestrateReport } from './types.js';

/** How a run starts: a new goal, or an earlier run read from its journal. */
export type RunStart =
  | { kind: 'new'; goal: string; plan?: Plan }
  | { kind: 'resume'; load: () => Promise<JournalState | undefined> };

/**
 * One orchestrated run as its handle: the run (`RunCore`) with its flow (`runFlow`), every event
 * counted, journaled and passed on (`progress$`), questions of suspended tasks served, and the
 * journal closed before `result` settles. `orchestrate` and `resumeRun` make one.
 */
export class OrchestrateRun implements OrchestrateHandle, QuestionSink {
  readonly result: Promise<OrchestrateReport>;
  readonly #s: RunState;
  readonly #all = new Subject<ProgressEvent>();
  readonly #asked = new Map<string, number>();
  #bootError: Error | undefined;
  #tracking: RunTracking | undefined;
  #extra: Subscription | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unserve: () => void = () => {};

  constructor(options: OrchestrateOptions, start: RunStart) {
    const executors = executorsOf(options.executors);
    concurrencyLimit('orchestrate', 'maxConcurrency', options.maxConcurrency);
    const goal = start.kind === 'new' ? start.goal : '';
    const core = new RunCore<OrchestrateReport>(
      {
        runtime: options.runtime,
        signal: options.signal,
        runId: options.runId ?? newId(),
        name: options.name ?? goal,
        description: goal,
        autoStart: false,
        statusOf: (report): RunStatus => (report.status === 'completed' ? 'completed' : 'failed'),
      },
      () => this.#main(),
    );
    const [work] = linkedController(core.signal);
    const s = new RunState({ core, options, executors, work, goal });
    if (start.kind === 'new' && start.plan !== undefined) s.plan = start.plan;
    this.#s = s;
    core.suspendKey = (taskId) => s.accounting.ownerOf(taskId) ?? taskId;
    core.suspensions.onAnswer = async (q, answer) => {
      const journal = s.journal;
      if (journal === undefined) return;
      const record = { key: q.key, taskId: q.taskId, question: q.question, answer, at: Date.now() };
      await journal.checkpoint(journal.keys.answerOf(q.key), record);
    };
    core.progress$.subscribe({ next: (e) => this.#emit(e), complete: () => this.#end() });
    this.result = core.result.then(
      async (report) => {
        await this.#close(report.status);
        return report;
      },
      async (err: unknown) => {
        await this.#close(toError(err) instanceof CancelledError ? 'cancelled' : 'failed').catch(() => {});
        throw err;
      },
    );
    this.result.catch(() => {});
    void this.#boot(start).then(() => core.start());
  }

  get runId(): string {
    return this.#s.runId;
  }

  get goal(): string {
    return this.#s.goal;
  }

  get plan(): Plan | undefined {
    return this.#s.plan;
  }

  get progress$(): Observable<ProgressEvent> {
    return this.#all.asObservable();
  }

  get status(): RunStatus {
    return this.#s.core.status;
  }

  get suspended(): readonly Suspension[] {
    return this.#s.core.suspended;
  }

  pause(): void {
    this.#s.core.pause();
  }

  resume(): void;
  resume(taskId: string, answer: unknown): Promise<void>;
  resume(taskId?: string, answer?: unknown): void | Promise<void> {
    if (taskId === undefined) return this.#s.core.resume();
    // A sub-task id stands for the oldest question asked in its branch (its keys start with the id).
    const waiting = this.#s.core.suspended;
    const own = waiting.some((q) => q.taskId === taskId || q.key === taskId);
    const branch = own
      ? undefined
      : waiting.find((q) => q.key.startsWith(`${taskId}#`) || q.key.startsWith(`${taskId}/`));
    return this.#s.core.resume(branch?.key ?? taskId, answer);
  }

  cancel(reason?: string): void {
    this.#s.core.cancel(reason);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#s.core[Symbol.asyncDispose]();
    await this.result.then(
      () => {},
      () => {},
    );
  }

  report(): OrchestrateReport {
    return this.#s.report();
  }

  askFromAgent(
    request: { taskId: string; parentId?: string | undefined; question: string; schema?: unknown },
    signal: AbortSignal,
  ): Promise<unknown> {
    const a = this.#s.accounting;
    const owner =
      a.ownerOf(request.taskId) ??
      (request.parentId === undefined ? undefined : a.ownerOf(request.parentId)) ??
      request.taskId;
    const n = (this.#asked.get(owner) ?? 0) + 1;
    this.#asked.set(owner, n);
    return this.#s.core.suspensions.ask(
      { taskId: request.taskId, parentId: request.parentId, key: `${owner}/ask#${n}` },
      request.question,
      { json: request.schema },
      signal,
    );
  }

  /** Reads the journal (resume), writes the run's meta, serves questions, feeds the tracker. */
  async #boot(start: RunStart): Promise<void> {
    const s = this.#s;
    const { store, runtime, tracker } = s.options;
    try {
      if (start.kind === 'resume') {
        const state = await start.load();
        if (state === undefined) throw new UnknownRunError(s.runId, 'in the store');
        this.#restore(state);
      }
      if (store !== undefined) {
        s.journal = new Journal(store, s.runId, s.prior?.chunks ?? 0);
        const now = Date.now();
        const meta: RunMeta = {
          v: 1,
          runId: s.runId,
          goal: s.goal,
          name: s.core.name,
          status: 'running',
          sessions: s.sessions,
          createdAt: s.prior?.meta.createdAt ?? now,
          updatedAt: now,
        };
        if (s.options.context !== undefined) meta.context = s.options.context;
        s.meta = meta;
        await s.journal.checkpoint(s.journal.keys.meta, meta);
      }
      s.core.phase = s.plan === undefined || s.routes.size === 0 ? 'planning' : 'executing';
      this.#unserve = await serveQuestions(runtime, s.runId, this);
      if (tracker !== undefined) {
        const ref = runtime.ref({ type: tracker.type, key: s.runId });
        this.#tracking = trackRun(this.#all, ref, { runId: s.runId });
      }
    } catch (err) {
      this.#bootError = toError(err);
    }
  }

  /** Takes up a run from its journal: goal, plan, finished sub-tasks, answers, and its events so far. */
  #restore(state: JournalState): void {
    const s = this.#s;
    s.prior = state;
    s.priorCards = priorCards(state.events);
    s.goal = state.meta.goal;
    s.core.name = s.options.name ?? state.meta.name;
    s.core.description = state.meta.goal;
    s.sessions = state.meta.sessions + 1;
    s.firstStartedAt = state.meta.createdAt;
    if (state.meta.context !== undefined && s.options.context === undefined) {
      (s as { options: OrchestrateOptions }).options = { ...s.options, context: state.meta.context };
    }
    const plan = state.plan;
    if (plan !== undefined) {
      s.plan = plan.plan;
      for (const r of plan.routes) s.routes.set(r.subtaskId, r);
      s.replans = plan.replans;
      s.retired = [...plan.retired];
      for (const [id, card] of Object.entries(plan.cards)) {
        s.cards.set(id, card);
        s.accounting.own(card, id);
      }
      for (const r of plan.retired) s.accounting.own(r.taskId, r.id);
    }
    for (const [key, record] of state.answers) s.core.suspensions.preAnswer(key, record.answer);
    let seq = 0;
    for (const event of state.events) {
      if (event.seq > seq) seq = event.seq;
      s.accounting.apply(event);
      this.#all.next(event);
    }
    s.core.continueAfter(seq);
  }

  async #main(): Promise<OrchestrateReport> {
    if (this.#bootError) throw this.#bootError;
    const s = this.#s;
    const seconds = s.options.budget?.seconds;
    if (seconds !== undefined) this.#timer = setTimeout(() => s.stopFor('budget.seconds'), seconds * 1000);
    const events$ = s.options.events$;
    if (events$ !== undefined) {
      const root = s.core.rootId;
      this.#extra = events$.subscribe((e) => {
        if (e.runId !== s.runId || e.taskId === root || s.own.has(e.taskId)) return;
        this.#emit(e);
        s.sawRemote(e.kind, e.parentId);
      });
    }
    try {
      return await runFlow(s);
    } finally {
      clearTimeout(this.#timer);
    }
  }

  /** Every event of the run: counted, journaled, passed on; a budget reached stops the run. */
  #emit(event: ProgressEvent): void {
    const s = this.#s;
    const reached = s.accounting.apply(event);
    s.journal?.append(event);
    this.#all.next(event);
    if (reached !== undefined) s.stopFor(reached);
  }

  #end(): void {
    this.#extra?.unsubscribe();
    this.#all.complete();
  }

  /** After the run ended: questions no longer served, the tracker and the journal flushed, the meta updated. */
  async #close(status: RunMeta['status']): Promise<void> {
    const s = this.#s;
    this.#unserve();
    clearTimeout(this.#timer);
    let failure: unknown;
    await this.#tracking?.close().catch((err: unknown) => {
      failure = err;
    });
    const { journal, meta } = s;
    if (journal !== undefined && meta !== undefined) {
      await journal.flush();
      const report = s.report();
      meta.status = status;
      meta.updatedAt = Date.now();
      meta.summary = {
        completed: report.subtasks.filter((t) => t.status === 'completed').length,
        total: report.plan.subtasks.length,
        tokens: report.tokens.total,
        costUsd: report.costUsd,
      };
      await journal.checkpoint(journal.keys.meta, meta);
    }
    if (failure !== undefined) throw failure;
  }
}
