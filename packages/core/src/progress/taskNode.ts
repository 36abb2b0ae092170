import type { SeenWindow } from './seenWindow.js';
import type { PendingQuestion, SubTaskProgress, TaskStatus } from './taskProgress.js';

/** Orders event stamps `(ts, seq)`: by time, then by sequence number. */
export const cmp = (ts: number, seq: number, ts2: number, seq2: number): number => ts - ts2 || seq - seq2;

/** The most a task that has not completed can read: 100 means done. */
export const UNFINISHED_MAX = 99;

/**
 * What the reducer knows about one task: the fields of its card, its place in the tree, its share
 * of its parent's progress, and the ordering stamps that let older events lose to newer ones.
 * Mutable, owned by one ledger; its card (`card`) is rebuilt only after it changed.
 */
export class TaskNode implements SeenWindow {
  readonly id: string;
  /** Where it hangs now (the ledger's root for top-level cards); undefined only for the root. */
  parent: TaskNode | undefined = undefined;
  /** Children in arrival order (made on the first one). */
  children: Map<string, TaskNode> | undefined = undefined;
  /** The parent its events named (shown as `parentId`, even while that parent is unknown). */
  declaredParent: string | undefined = undefined;

  name: string;
  description: string | undefined = undefined;
  agent: string | undefined = undefined;
  /** The tasks it waits for (the union of what its `task.created` events named). */
  dependsOn: string[] | undefined = undefined;
  status: TaskStatus = 'pending';
  /** What the task itself last reported, 0–100 (a retry reports 0). */
  reported = 0;
  step: string | undefined = undefined;
  /** Distinct `task.started` events seen, and the highest attempt number any of them named. */
  starts = 0;
  maxAttempt = 0;
  startedAt: number | undefined = undefined;
  finishedAt: number | undefined = undefined;
  error: { code: string; message: string } | undefined = undefined;
  result: unknown = undefined;
  /** The question it waits on while suspended. */
  question: PendingQuestion | undefined = undefined;
  /** Tokens of its subtree's model calls (undefined while none). */
  tokens: { input: number; output: number } | undefined = undefined;

  /** Its weight among its siblings (default 1), and the sub-tasks it announced. */
  weight = 1;
  expected = 0;
  /** Over its children: sum of weights and of weight × value. */
  sumW = 0;
  sumWV = 0;
  /** Its progress, 0–100, as its parent counts it. */
  value = 0;

  /** Stamps `(ts, seq)` of the events that last set its status, its report and its activity (-∞: none yet). */
  statusTs = Number.NEGATIVE_INFINITY;
  statusSeq = 0;
  progressTs = Number.NEGATIVE_INFINITY;
  progressSeq = 0;
  activityTs = Number.NEGATIVE_INFINITY;
  activitySeq = 0;

  /** Its duplicate-event window (see `seenWindow.ts`). */
  recent: Array<number | string> | undefined = undefined;
  floorTs = Number.NEGATIVE_INFINITY;
  floorSeq = 0;

  /** Neighbours in the ledger's list of running tasks ordered by activity. */
  prev: TaskNode | undefined = undefined;
  next: TaskNode | undefined = undefined;
  listed = false;

  /** The card last built for it; undefined once something on it (or below it) changed. */
  card: SubTaskProgress | undefined = undefined;
  /** Its place among its parent's children (valid while the parent is not `reshaped`). */
  index = 0;
  /** Its children's cards as last built, the children whose card changed since, and whether one left. */
  kidCards: SubTaskProgress[] | undefined = undefined;
  dirtyKids: TaskNode[] | undefined = undefined;
  reshaped = false;

  constructor(id: string) {
    this.id = id;
    this.name = id;
  }

  /** Attempts started. */
  get attempts(): number {
    return Math.max(this.starts, this.maxAttempt);
  }

  /**
   * Its progress: 100 once completed; otherwise the larger of its own report and its weighted
   * share of its children (split over at least `expected` parts), kept below 100 — so a task that
   * failed, timed out or was cancelled keeps the progress it had made, and a retried task counts
   * the sub-tasks of its failed attempts as they ended (never as finished work).
   */
  computeValue(isRoot: boolean): number {
    if (this.status === 'completed') return 100;
    let v = this.reported;
    const parts = Math.max(this.sumW, this.expected);
    if (parts > 0) {
      const share = this.sumWV / parts;
      if (share > v) v = share;
    }
    v = Math.min(100, Math.max(0, v)); // the sums are kept incrementally: clamp away float dust
    return isRoot ? v : Math.min(v, UNFINISHED_MAX);
  }
}
