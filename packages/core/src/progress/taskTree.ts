import { ActivityList } from './activityList.js';
import { TaskNode } from './taskNode.js';
import type { TaskStatus } from './taskProgress.js';

/** Every status, for counting. */
export const STATUSES: readonly TaskStatus[] = [
  'pending',
  'queued',
  'running',
  'paused',
  'retrying',
  'suspended',
  'completed',
  'failed',
  'timed_out',
  'cancelled',
];

/**
 * The task tree under the progress reducer: nodes hung under their parents, each parent's
 * weighted sums of its children's progress kept up to date in O(depth) per change, the counts by
 * status, the running tasks by activity, and which cards and child lists a snapshot must rebuild
 * (with an estimate of what that costs). `ProgressLedger` folds events into it.
 */
export class TaskTree {
  /** The run itself: its children are the top-level cards; its value is the overall progress. */
  readonly root = new TaskNode('');
  readonly tasks = new Map<string, TaskNode>();
  readonly running = new ActivityList();
  readonly counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  /** Whether anything changed since the last snapshot, and about how many items the next one builds or copies. */
  changed = true;
  cost = 0;

  /** Marks `node`'s card (and the cards and child lists above it) for rebuilding. */
  touch(node: TaskNode): void {
    this.changed = true;
    let n = node;
    while (n !== this.root) {
      if (n.card === undefined) return; // invariant: a stale card's ancestors are stale too
      n.card = undefined;
      const p = n.parent;
      if (p === undefined) return;
      this.dirtyKid(p, n);
      n = p;
    }
  }

  /** Notes that `kid`'s card changed, so `parent`'s list of cards is copied and patched. */
  dirtyKid(parent: TaskNode, kid: TaskNode): void {
    if (parent.dirtyKids === undefined) {
      parent.dirtyKids = [kid];
      this.cost += 1 + (parent.children?.size ?? 0); // its list of cards is copied
    } else {
      parent.dirtyKids.push(kid);
      this.cost += 1;
    }
  }

  /** Sets a status (stamped), keeping the counts and the running list right. */
  setStatus(n: TaskNode, status: TaskStatus, ts: number, seq: number): void {
    n.statusTs = ts;
    n.statusSeq = seq;
    if (n.status === status) return;
    this.counts[n.status] -= 1;
    this.counts[status] += 1;
    n.status = status;
    if (status === 'running') this.running.place(n);
    else this.running.remove(n);
  }

  /** Hangs `n` last under `parent`. */
  attach(n: TaskNode, parent: TaskNode): void {
    n.parent = parent;
    if (parent.children === undefined) parent.children = new Map();
    n.index = parent.children.size;
    parent.children.set(n.id, n);
    this.dirtyKid(parent, n);
    if (n.tokens !== undefined) this.addTokens(parent, n.tokens.input, n.tokens.output);
    this.touch(parent);
    this.count(n, true);
  }

  /** Adds token counts to `from` and every ancestor below the root (each card's tokens cover its subtree). */
  addTokens(from: TaskNode, input: number, output: number): void {
    for (let a: TaskNode | undefined = from; a !== undefined && a !== this.root; a = a.parent) {
      const t = a.tokens;
      const next = { input: (t?.input ?? 0) + input, output: (t?.output ?? 0) + output };
      a.tokens = next.input === 0 && next.output === 0 ? undefined : next;
    }
  }

  /** Takes `n` (with its subtree) from its parent. */
  detach(n: TaskNode): void {
    const parent = n.parent;
    if (parent === undefined) return;
    this.count(n, false);
    if (n.tokens !== undefined) this.addTokens(parent, -n.tokens.input, -n.tokens.output);
    parent.children?.delete(n.id);
    parent.reshaped = true;
    this.cost += parent.children?.size ?? 0;
    this.touch(parent);
    n.parent = undefined;
  }

  /** Adds `n` to its parent's sums or takes it out. */
  count(n: TaskNode, on: boolean): void {
    const p = n.parent as TaskNode;
    const sign = on ? 1 : -1;
    p.sumW += sign * n.weight;
    p.sumWV += sign * n.weight * n.value;
    if (p.sumW < 1e-9) {
      p.sumW = 0;
      p.sumWV = 0;
    }
    this.refresh(p);
  }

  /** Changes `n`'s weight among its siblings. */
  setWeight(n: TaskNode, weight: number): void {
    const attached = n.parent !== undefined;
    if (attached) this.count(n, false);
    n.weight = weight;
    if (attached) this.count(n, true);
  }

  /** Recomputes `n`'s value and carries the change up while values change: O(depth). */
  refresh(n: TaskNode): void {
    let node: TaskNode | undefined = n;
    while (node !== undefined) {
      const isRoot = node === this.root;
      const v = node.computeValue(isRoot);
      if (v === node.value) return;
      const p: TaskNode | undefined = node.parent;
      if (p !== undefined) p.sumWV += node.weight * (v - node.value);
      node.value = v;
      if (isRoot) {
        this.changed = true;
        return;
      }
      this.touch(node);
      node = p;
    }
  }
}
