import type { SubTaskProgress, TaskProgress } from '@troupe/core';

/** The part of a plan the estimate reads: per sub-task its estimate (s), dependencies and task id. */
export interface EstimatePlan {
  subtasks: ReadonlyArray<{
    id: string;
    /** The progress task id of this sub-task (default: its `id`). */
    taskId?: string | undefined;
    estimatedSeconds: number;
    dependencies: readonly string[];
  }>;
}

const FINISHED = new Set(['completed', 'failed', 'timed_out', 'cancelled']);
const ACTIVE = new Set(['running', 'paused', 'retrying']);

type Entry = EstimatePlan['subtasks'][number] & { card: SubTaskProgress | undefined };

/**
 * Milliseconds left, from the plan's estimates corrected by what was
 * observed: the ratio of actual to estimated duration over finished
 * sub-tasks scales every estimate; a running sub-task counts what is left
 * of its scaled estimate at `now` (ms since the epoch; the tracker passes
 * its last event's time, so a rebuilt snapshot gets the same number); the
 * total is the longest chain of dependencies (the critical path), as
 * independent sub-tasks run side by side. 0 once the run finished.
 */
export function estimateRemaining(progress: TaskProgress, plan: EstimatePlan, now: number): number {
  if (FINISHED.has(progress.status)) return 0;
  const cards = new Map<string, SubTaskProgress>();
  const index = (nodes: readonly SubTaskProgress[]) => {
    for (const n of nodes) {
      cards.set(n.taskId, n);
      index(n.subtasks);
    }
  };
  index(progress.subtasks);
  const byId = new Map<string, Entry>(
    plan.subtasks.map((t) => [t.id, { ...t, card: cards.get(t.taskId ?? t.id) }]),
  );
  let observed = 0;
  let estimated = 0;
  for (const t of byId.values()) {
    const c = t.card;
    if (c?.status !== 'completed' || c.startedAt === undefined || c.finishedAt === undefined) continue;
    if (t.estimatedSeconds <= 0) continue;
    observed += c.finishedAt - c.startedAt;
    estimated += t.estimatedSeconds * 1000;
  }
  const factor = estimated > 0 ? observed / estimated : 1;
  const left = (t: Entry): number => {
    const c = t.card;
    if (c && FINISHED.has(c.status)) return 0;
    const scaled = t.estimatedSeconds * 1000 * factor;
    if (c?.startedAt !== undefined && ACTIVE.has(c.status)) {
      return Math.max(0, scaled - Math.max(0, now - c.startedAt));
    }
    return scaled;
  };
  const finish = new Map<string, number>();
  const visiting = new Set<string>();
  const until = (id: string): number => {
    const known = finish.get(id);
    if (known !== undefined) return known;
    const t = byId.get(id);
    if (!t || visiting.has(id)) return 0; // unknown ids and cycles add nothing (a valid plan has neither)
    visiting.add(id);
    const before = Math.max(0, ...t.dependencies.map(until));
    visiting.delete(id);
    const value = before + left(t);
    finish.set(id, value);
    return value;
  };
  let total = 0;
  for (const id of byId.keys()) total = Math.max(total, until(id));
  return Math.round(total);
}
