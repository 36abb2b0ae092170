import type { SubTaskProgress, TaskProgress } from '@troupe/core';

/** One task of the tree, flattened, with its depth (0: a top-level sub-task). */
export interface TaskRow {
  task: SubTaskProgress;
  depth: number;
}

/** Every task of a snapshot, depth first, in the order the snapshot lists them. */
export function flattenTasks(snapshot: Pick<TaskProgress, 'subtasks'>): TaskRow[] {
  const rows: TaskRow[] = [];
  const walk = (tasks: readonly SubTaskProgress[], depth: number): void => {
    for (const task of tasks) {
      rows.push({ task, depth });
      walk(task.subtasks, depth + 1);
    }
  };
  walk(snapshot.subtasks, 0);
  return rows;
}

/** How urgent a row is to show when not all fit: running and waiting first, pending last. */
const RANK: Record<string, number> = {
  suspended: 0,
  running: 1,
  retrying: 1,
  paused: 2,
  failed: 3,
  timed_out: 3,
  cancelled: 4,
  queued: 5,
  completed: 6,
  pending: 7,
};

/**
 * At most `max` rows (tree order kept), the most urgent ones when they do not all fit, and how many
 * were left out by status.
 */
export function pickRows(
  rows: readonly TaskRow[],
  max: number,
): { shown: TaskRow[]; hidden: Map<string, number> } {
  const hidden = new Map<string, number>();
  if (rows.length <= max) return { shown: [...rows], hidden };
  const keep = new Set(
    rows
      .map((row, i) => ({ row, i }))
      .sort((a, b) => (RANK[a.row.task.status] ?? 9) - (RANK[b.row.task.status] ?? 9) || a.i - b.i)
      .slice(0, Math.max(0, max))
      .map(({ i }) => i),
  );
  const shown: TaskRow[] = [];
  rows.forEach((row, i) => {
    if (keep.has(i)) shown.push(row);
    else hidden.set(row.task.status, (hidden.get(row.task.status) ?? 0) + 1);
  });
  return { shown, hidden };
}

/** Counts of tasks by status. */
export function countByStatus(rows: readonly TaskRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { task } of rows) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
  return counts;
}
