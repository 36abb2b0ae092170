import {
  initialProgress,
  isTerminalStatus,
  type ProgressEvent,
  reduceProgress,
  type SubTaskProgress,
  type TaskProgress,
  type TaskStatus,
} from '@troupe/core';

/** The cards an earlier session of a run left, as a resumed session needs to know them. */
export interface PriorCards {
  /** The progress the journal's events rebuild. */
  progress: TaskProgress;
  /** Every card's status, by task id. */
  status: ReadonlyMap<string, TaskStatus>;
  /** Cards left open (pending, running, suspended, …) by a session that did not end them, parents first. */
  open: ReadonlyArray<{ taskId: string; parentId?: string }>;
}

/** Folds a run's journaled events and lists its cards: their statuses and the ones left open. */
export function priorCards(events: readonly ProgressEvent[]): PriorCards {
  const progress = events.reduce(reduceProgress, initialProgress());
  const status = new Map<string, TaskStatus>();
  const open: Array<{ taskId: string; parentId?: string }> = [];
  const walk = (cards: readonly SubTaskProgress[]): void => {
    for (const card of cards) {
      status.set(card.taskId, card.status);
      if (!isTerminalStatus(card.status)) {
        open.push(
          card.parentId === undefined
            ? { taskId: card.taskId }
            : { taskId: card.taskId, parentId: card.parentId },
        );
      }
      walk(card.subtasks);
    }
  };
  walk(progress.subtasks);
  return { progress, status, open };
}
