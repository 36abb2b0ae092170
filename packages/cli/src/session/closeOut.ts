import type { ProgressEvent, TaskProgress } from '@troupe/core';
import { flattenTasks } from '../view/taskRows.js';

const OPEN = new Set(['pending', 'queued', 'running', 'paused', 'retrying']);

/**
 * Events that close what an interrupted attempt left open: each task still pending, queued,
 * running, paused or retrying in the stored journal is cancelled ("interrupted"), so the resumed
 * run's view and its replay do not show dead work as running. The resumed attempt's own tasks come
 * after these.
 */
export function closeOutEvents(snapshot: TaskProgress, runId: string, now: number): ProgressEvent[] {
  return flattenTasks(snapshot)
    .filter(({ task }) => OPEN.has(task.status))
    .map(({ task }, i) => {
      const event: ProgressEvent = {
        kind: 'task.cancelled',
        runId,
        taskId: task.taskId,
        ts: now,
        seq: i + 1,
        reason: 'interrupted: the process running it exited',
      };
      if (task.parentId !== undefined) event.parentId = task.parentId;
      return event;
    });
}
