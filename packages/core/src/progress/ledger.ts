import type { ProgressEvent, ProgressKind, RunPhase } from './events.js';
import { isTerminalStatus, resultPreview } from './outcome.js';
import { Records } from './records.js';
import { emptyWindow, remember, type SeenWindow, wasSeen } from './seenWindow.js';
import { cmp, TaskNode } from './taskNode.js';
import type { SubTaskProgress, TaskProgress, TaskStatus } from './taskProgress.js';
import { TaskTree } from './taskTree.js';

const STATUS_OF: Partial<Record<ProgressKind, TaskStatus>> = {
  'task.created': 'pending',
  'task.queued': 'queued',
  'task.started': 'running',
  'task.retrying': 'retrying',
  'task.paused': 'paused',
  'task.suspended': 'suspended',
  'task.answered': 'running',
  'task.resumed': 'running',
  'task.completed': 'completed',
  'task.failed': 'failed',
  'task.timed_out': 'timed_out',
  'task.cancelled': 'cancelled',
};

type TaskEvent = Exclude<ProgressEvent, { kind: 'run.started' | 'run.finished' | 'run.status' }>;
type RecordEvent = Extract<
  ProgressEvent,
  { kind: 'task.log' | 'task.artifact' | 'task.tokens' | 'task.tool_call' }
>;
const isRecord = (e: TaskEvent): e is RecordEvent =>
  e.kind === 'task.log' ||
  e.kind === 'task.artifact' ||
  e.kind === 'task.tokens' ||
  e.kind === 'task.tool_call';

/** What a ledger starts from. */
export interface LedgerOptions {
  taskId?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
}

/**
 * The progress reducer's mutable state. Each event costs O(depth of its task) — no event scans or
 * copies a list of siblings or of running tasks — and `snapshotOf` rebuilds only
 * the cards that changed (and the child lists holding them), sharing every other card with the
 * previous snapshot. `reduceProgress` and `trackProgress` are built on it.
 */
export class ProgressLedger extends TaskTree {
  rootId: string;
  name: string;
  description: string | undefined;
  readonly records = new Records();
  firstTs: number | undefined;
  lastTs: number | undefined;
  runStarted = false;
  finished: { status: TaskStatus; ts: number; seq: number } | undefined;
  /** The phase `run.status` last set (an orchestrated run), and its stamp. */
  phase: RunPhase | undefined;
  phaseTs = Number.NEGATIVE_INFINITY;
  phaseSeq = 0;
  /** The last snapshot made from it. */
  head: TaskProgress | undefined;
  /** Children that named a parent not seen yet (they hang at the top level meanwhile). */
  readonly #waiting = new Map<string, TaskNode[]>();
  /** Duplicate windows of ids that are not task cards (the run's own id); tasks keep theirs. */
  readonly #seen = new Map<string, SeenWindow>();

  constructor(options: LedgerOptions = {}) {
    super();
    this.rootId = options.taskId ?? '';
    this.name = options.name ?? options.taskId ?? '';
    this.description = options.description;
  }

  /**
   * A ledger for a snapshot that has none (hand-built, parsed from JSON, or not the latest of its
   * ledger): the tree, statuses, progress, records and times as shown, with weights 1, no ordering
   * stamps and an empty duplicate window.
   */
  static restore(state: TaskProgress): ProgressLedger {
    const ledger = new ProgressLedger(state);
    const add = (cards: readonly SubTaskProgress[], parent: TaskNode): void => {
      for (const card of cards) {
        const n = new TaskNode(card.taskId);
        Object.assign(n, {
          declaredParent: card.parentId,
          name: card.name,
          description: card.description,
          dependsOn: card.dependsOn,
          agent: card.agent,
          step: card.step,
          maxAttempt: card.attempts,
          startedAt: card.startedAt,
          finishedAt: card.finishedAt,
          error: card.error,
          result: card.result,
          question: card.question,
        });
        n.reported = card.status === 'completed' ? 0 : card.progress;
        ledger.tasks.set(n.id, n);
        ledger.counts.pending += 1;
        ledger.setStatus(n, card.status, Number.NEGATIVE_INFINITY, 0);
        ledger.attach(n, parent);
        add(card.subtasks, n);
        // Set after its children attached: a card's tokens already cover its subtree.
        n.tokens = card.tokens;
        ledger.refresh(n);
      }
    };
    add(state.subtasks, ledger.root);
    for (const log of state.logs) ledger.records.logs.push(log);
    for (const call of state.executionDetails.toolCalls) ledger.records.toolCalls.push(call);
    for (const artifact of state.artifacts) ledger.records.artifacts.push(artifact);
    ledger.records.tokens = state.executionDetails.tokensUsed;
    ledger.firstTs = state.startedAt;
    if (state.startedAt !== undefined) ledger.lastTs = state.startedAt + state.executionDetails.elapsedTime;
    return ledger;
  }

  /** Folds one event in; false when it is a duplicate (nothing changed). */
  apply(event: ProgressEvent): boolean {
    const { taskId, ts, seq, runId, kind } = event;
    const known: SeenWindow | undefined = this.tasks.get(taskId) ?? this.#seen.get(taskId);
    if (known !== undefined && wasSeen(known, ts, seq, runId, kind)) return false;
    this.changed = true;
    if (this.firstTs === undefined || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === undefined || ts > this.lastTs) this.lastTs = ts;
    let window: SeenWindow | undefined;
    if (event.kind === 'run.started') {
      // A run resumed after it ended (from its journal) is live again.
      if (this.finished !== undefined && cmp(ts, seq, this.finished.ts, this.finished.seq) > 0)
        this.finished = undefined;
      this.#startRun(taskId, event.name, event.description);
      if (event.status !== undefined) this.#setPhase(event.status, ts, seq);
    } else if (event.kind === 'run.finished') this.finished = { status: event.status, ts, seq };
    else if (event.kind === 'run.status') this.#setPhase(event.status, ts, seq);
    else {
      if (taskId !== this.rootId || this.rootId === '') window = this.#applyTask(event, ts, seq);
      if (isRecord(event)) this.cost += this.records.apply(event);
    }
    if (window === undefined) {
      window = this.#seen.get(taskId);
      if (window === undefined) {
        window = emptyWindow();
        this.#seen.set(taskId, window);
      }
    }
    remember(window, ts, seq, runId, kind);
    return true;
  }

  /** The newest phase wins. */
  #setPhase(phase: RunPhase, ts: number, seq: number): void {
    if (cmp(ts, seq, this.phaseTs, this.phaseSeq) < 0) return;
    this.phase = phase;
    this.phaseTs = ts;
    this.phaseSeq = seq;
  }

  /** Folds a task event into its card; returns the task (whose window remembers the event). */
  #applyTask(ev: TaskEvent, ts: number, seq: number): TaskNode {
    const n = this.#ensure(ev.taskId, ev.parentId);
    let touched = false;
    if (ev.agent !== undefined && ev.agent !== n.agent) {
      n.agent = ev.agent;
      touched = true;
    }
    if (
      (ev.kind === 'task.created' || ev.kind === 'task.started') &&
      ev.name !== undefined &&
      ev.name !== n.name
    ) {
      n.name = ev.name;
      touched = true;
    }
    if (ev.kind === 'task.created') {
      if (ev.description !== undefined && ev.description !== n.description) {
        n.description = ev.description;
        touched = true;
      }
      if (ev.weight !== undefined && ev.weight !== n.weight) this.setWeight(n, ev.weight);
      const deps = ev.dependsOn?.filter((d) => !n.dependsOn?.includes(d));
      if (deps !== undefined && deps.length > 0) {
        n.dependsOn = [...(n.dependsOn ?? []), ...deps];
        touched = true;
      }
    } else if (ev.kind === 'task.started') {
      // Attempts are starts: distinct task.started events, or the attempt number one of them names.
      n.starts += 1;
      if (ev.attempt !== undefined && ev.attempt > n.maxAttempt) n.maxAttempt = ev.attempt;
      n.startedAt = Math.min(n.startedAt ?? ev.ts, ev.ts);
      touched = true;
      this.#active(n, ts, seq);
    } else if (ev.kind === 'task.progress') {
      if (ev.expectedSubtasks !== undefined) n.expected = ev.expectedSubtasks;
      this.#active(n, ts, seq);
      touched = this.#report(n, ts, seq, ev.percent, ev.step) || touched;
    } else if (ev.kind === 'task.suspended') {
      if (!isTerminalStatus(n.status)) {
        n.question = { text: ev.question };
        if (ev.schema !== undefined) n.question.schema = ev.schema;
        if (ev.key !== undefined) n.question.key = ev.key;
        touched = true;
      }
    } else if (ev.kind === 'task.tokens') {
      if (ev.input + ev.output > 0) {
        this.addTokens(n, ev.input, ev.output);
        touched = true;
      }
    } else if (ev.kind === 'task.retrying') {
      // The next attempt starts its own report over at 0; the sub-tasks of the failed attempt keep
      // the progress they had made, so the task never reads as finished before it completes.
      touched = this.#report(n, ts, seq, 0, undefined) || touched;
    }
    const status = STATUS_OF[ev.kind];
    if (status !== undefined && this.#mayReplace(n, ev.kind, status, ts, seq)) {
      this.setStatus(n, status, ts, seq);
      touched = true;
      if (isTerminalStatus(status)) n.finishedAt = ev.ts;
      if (ev.kind === 'task.failed') n.error = { code: ev.error.code, message: ev.error.message };
      if (ev.kind === 'task.completed' && ev.result !== undefined) n.result = resultPreview(ev.result);
      if (status !== 'suspended') n.question = undefined;
    }
    if (touched) this.touch(n);
    this.refresh(n);
    return n;
  }

  /** A terminal status beats any other whatever the order; otherwise the newer stamp wins. */
  #mayReplace(n: TaskNode, kind: ProgressKind, next: TaskStatus, ts: number, seq: number): boolean {
    // Pausing and resuming a run does not touch work that has not started.
    // Pausing and resuming a run does not touch a task waiting for an answer either.
    if (
      (kind === 'task.paused' || kind === 'task.resumed') &&
      (n.status === 'pending' || n.status === 'queued' || n.status === 'suspended')
    )
      return false;
    // An answer lets a suspended task go on; to a task in any other state it changes nothing.
    if (kind === 'task.answered' && n.status !== 'suspended') return false;
    const was = isTerminalStatus(n.status);
    if (was !== isTerminalStatus(next)) return !was;
    return cmp(ts, seq, n.statusTs, n.statusSeq) >= 0;
  }

  /** The newest report wins (a completed task keeps 100). */
  #report(
    n: TaskNode,
    ts: number,
    seq: number,
    percent: number | undefined,
    step: string | undefined,
  ): boolean {
    if (n.status === 'completed' || cmp(ts, seq, n.progressTs, n.progressSeq) < 0) return false;
    if (percent !== undefined) n.reported = percent;
    if (step !== undefined) n.step = step;
    n.progressTs = ts;
    n.progressSeq = seq;
    return true;
  }

  #active(n: TaskNode, ts: number, seq: number): void {
    if (cmp(ts, seq, n.activityTs, n.activitySeq) <= 0) return;
    n.activityTs = ts;
    n.activitySeq = seq;
    if (n.status === 'running') this.running.place(n);
  }

  /** The node for `id`, made on first sight (adopting children that came first); learns its parent once. */
  #ensure(id: string, parentId: string | undefined): TaskNode {
    let n = this.tasks.get(id);
    if (n === undefined) {
      n = new TaskNode(id);
      this.tasks.set(id, n);
      this.counts.pending += 1;
      let home = this.root;
      if (parentId && parentId !== id) {
        n.declaredParent = parentId;
        if (parentId !== this.rootId) home = this.tasks.get(parentId) ?? this.#wait(n, parentId);
      }
      this.attach(n, home);
      const early = this.#waiting.get(id);
      if (early !== undefined) {
        this.#waiting.delete(id);
        for (const child of early) this.#adopt(child, n);
      }
      return n;
    }
    if (parentId && parentId !== id && n.declaredParent === undefined) {
      n.declaredParent = parentId;
      this.touch(n);
      if (parentId !== this.rootId) {
        const parent = this.tasks.get(parentId);
        if (parent !== undefined) this.#adopt(n, parent);
        else this.#wait(n, parentId);
      }
    }
    return n;
  }

  /** Parks `n` (at the top level) until `parentId` appears; returns the root. */
  #wait(n: TaskNode, parentId: string): TaskNode {
    const list = this.#waiting.get(parentId);
    if (list === undefined) this.#waiting.set(parentId, [n]);
    else list.push(n);
    return this.root;
  }

  /** Nests the top-level `n` under `parent`, unless that would make a cycle. */
  #adopt(n: TaskNode, parent: TaskNode): void {
    if (n.parent !== this.root) return;
    for (let a: TaskNode | undefined = parent; a !== undefined && a !== this.root; a = a.parent)
      if (a === n) return;
    this.detach(n);
    this.attach(n, parent);
  }

  /** Makes `id` the run's root: a card that stood for it dissolves, its children moving to the top level. */
  #startRun(id: string, name: string | undefined, description: string | undefined): void {
    this.rootId = id;
    this.runStarted = true;
    if (name !== undefined) this.name = name;
    else if (this.name === '') this.name = id;
    if (description !== undefined) this.description = description;
    this.#waiting.delete(id);
    const n = this.tasks.get(id);
    if (n === undefined) return;
    this.#seen.set(id, { recent: n.recent, floorTs: n.floorTs, floorSeq: n.floorSeq });
    for (const child of [...(n.children?.values() ?? [])]) {
      this.detach(child);
      this.attach(child, this.root);
    }
    this.detach(n);
    this.tasks.delete(id);
    this.counts[n.status] -= 1;
    this.running.remove(n);
  }
}
