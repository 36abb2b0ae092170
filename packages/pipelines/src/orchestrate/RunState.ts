import type { Plan, Route } from '@troupe/agents';
import { CancelledError, type RunPhase } from '@troupe/core';
import type { RunCore } from '../RunCore.js';
import { Accounting } from './accounting.js';
import type { Executor } from './executors.js';
import type { Journal, JournalState, RetiredSubTask, RunMeta } from './journal.js';
import { buildReport, type SubState } from './report.js';
import type { PriorCards } from './resumeCards.js';
import type { OrchestrateOptions, OrchestrateReport, StopReason } from './types.js';

/** Card ids of the run's own tasks: not valid sub-task ids, so they never collide with a plan's. */
export const PLAN_CARD = '@plan';
export const EXECUTE_CARD = '@execute';
export const ROUTE_CARD = '@route';

/**
 * What one orchestrated run knows while it goes: the plan and routes, the sub-tasks' states and
 * results, their cards, the journal, the accounting and the budget. Shared by the run's handle
 * (`OrchestrateRun`), its flow (`runFlow`) and its sub-task steps.
 */
export class RunState {
  readonly core: RunCore<OrchestrateReport>;
  readonly options: OrchestrateOptions;
  readonly executors: ReadonlyMap<string, Executor>;
  readonly accounting: Accounting;
  /** Aborted by the run's end or a budget reached: everything the run does runs on it. */
  readonly work: AbortController;
  /** Task ids of the run's own cards (events from `events$` about them are echoes, dropped). */
  readonly own = new Set<string>([PLAN_CARD, EXECUTE_CARD, ROUTE_CARD]);
  goal: string;
  journal: Journal | undefined;
  meta: RunMeta | undefined;
  /** The journal of earlier sessions (a resumed run), and the cards they left. */
  prior: JournalState | undefined;
  priorCards: PriorCards | undefined;
  plan: Plan | undefined;
  readonly routes = new Map<string, Route>();
  replans = 0;
  /** Sub-task id → its card's task id. */
  readonly cards = new Map<string, string>();
  readonly usedCards = new Set<string>();
  /** Sub-tasks whose card this session already decided on. */
  readonly #decided = new Set<string>();
  readonly states = new Map<string, SubState>();
  readonly results = new Map<string, unknown>();
  retired: RetiredSubTask[] = [];
  sessions = 1;
  firstStartedAt = Date.now();
  finishedAt: number | undefined;
  stop: StopReason | undefined;
  /** Cards under which an agent elsewhere was asked (with `events$`), and those whose ask's end arrived. */
  readonly #awaited = new Set<string>();
  readonly #endedRemotely = new Set<string>();
  #wake: (() => void) | undefined;

  constructor(init: {
    core: RunCore<OrchestrateReport>;
    options: OrchestrateOptions;
    executors: ReadonlyMap<string, Executor>;
    work: AbortController;
    goal: string;
  }) {
    this.core = init.core;
    this.options = init.options;
    this.executors = init.executors;
    this.accounting = new Accounting(init.options.budget);
    this.work = init.work;
    this.goal = init.goal;
  }

  get runId(): string {
    return this.core.runId;
  }

  /**
   * The card of a sub-task: its id; in a resumed run the card it had, unless that card ended
   * without completing (then `id#n`, since an ended card cannot run again).
   */
  cardOf(id: string): string {
    let card = this.cards.get(id);
    if (card === undefined) {
      card = this.#taken(id) ? this.freshId(id) : id;
      this.cards.set(id, card);
    } else if (!this.#decided.has(id) && this.prior !== undefined && !this.prior.done.has(id)) {
      const was = this.priorCards?.status.get(card);
      if (was !== undefined && was !== 'completed' && isEnded(was)) {
        card = this.freshId(id);
        this.cards.set(id, card);
      }
    }
    this.#decided.add(id);
    this.usedCards.add(card);
    this.accounting.own(card, id);
    return card;
  }

  /** `id#2`, `id#3`, …: the first card id no session used. */
  freshId(id: string): string {
    for (let n = 2; ; n++) {
      const candidate = `${id}#${n}`;
      if (!this.#taken(candidate)) return candidate;
    }
  }

  #taken(card: string): boolean {
    return this.usedCards.has(card) || this.priorCards?.status.has(card) === true;
  }

  /** Notes an ask made under `card` whose events come through `events$` (the report waits for its end). */
  expectRemoteEnd(card: string): void {
    if (this.options.events$ !== undefined) this.#awaited.add(card);
  }

  /** An event that came through `events$`: a task ending under a card means that card's ask is fully reported. */
  sawRemote(kind: string, parentId: string | undefined): void {
    if (parentId === undefined || !isEndKind(kind)) return;
    this.#endedRemotely.add(parentId);
    this.#wake?.();
  }

  /**
   * Waits until the end event of every ask made elsewhere arrived through `events$` (the stream
   * lags the replies), at most `ms`, so the report and the journal hold the agents' last events.
   */
  async settleRemote(ms = 2_000): Promise<void> {
    const missing = () => [...this.#awaited].some((card) => !this.#endedRemotely.has(card));
    if (!missing()) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    try {
      while (missing()) {
        const woken = new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        if ((await Promise.race([woken.then(() => 'woken'), expired.then(() => 'expired')])) === 'expired')
          return;
      }
    } finally {
      clearTimeout(timer);
      this.#wake = undefined;
    }
  }

  /** Ends the run's work because a limit was reached: what runs is cancelled, the report is partial. */
  stopFor(reason: StopReason): void {
    if (this.stop !== undefined) return;
    this.stop = reason;
    const t = this.accounting.total;
    const budget = this.options.budget ?? {};
    const spent =
      reason === 'budget.tokens'
        ? `${t.input + t.output} tokens of ${budget.tokens}`
        : reason === 'budget.costUsd'
          ? `$${t.costUsd.toFixed(4)} of $${budget.costUsd}`
          : `${budget.seconds} s of wall time`;
    this.work.abort(new CancelledError(`budget exhausted: ${spent}`, { data: { reason } }));
  }

  /** Emits the run's phase (`run.status`) when it changes (`run.started` announced the first). */
  phase(status: RunPhase): void {
    if (this.core.phase === status) return;
    this.core.phase = status;
    this.core.emitTask({ kind: 'run.status', taskId: this.core.rootId, status });
  }

  /** Writes the plan, routes, cards and retired sub-tasks to the journal. */
  async savePlan(): Promise<void> {
    if (this.journal === undefined || this.plan === undefined) return;
    for (const t of this.plan.subtasks) this.cardOf(t.id);
    await this.journal.checkpoint(this.journal.keys.plan, {
      plan: this.plan,
      routes: [...this.routes.values()],
      replans: this.replans,
      cards: Object.fromEntries(this.cards),
      retired: this.retired,
    });
  }

  /** The report as of now. */
  report(): OrchestrateReport {
    return buildReport({
      runId: this.runId,
      goal: this.goal,
      plan: this.plan ?? { goal: this.goal, subtasks: [] },
      replans: this.replans,
      states: this.states,
      retired: this.retired,
      usageOf: (id) => this.accounting.of(id),
      total: this.accounting.total,
      stop: this.stop,
      startedAt: this.firstStartedAt,
      finishedAt: this.finishedAt ?? Date.now(),
      sessions: this.sessions,
    });
  }
}

function isEndKind(kind: string): boolean {
  return (
    kind === 'task.completed' ||
    kind === 'task.failed' ||
    kind === 'task.timed_out' ||
    kind === 'task.cancelled'
  );
}

function isEnded(status: string): boolean {
  return status === 'failed' || status === 'timed_out' || status === 'cancelled';
}
