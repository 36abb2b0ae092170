import type { SubTaskProgress, TaskProgress } from '@troupe/core';

/** A card with its depth in the tree (0: a top-level sub-task of the run). */
export interface Row {
  card: SubTaskProgress;
  depth: number;
}

/** Every card of the tree, depth first, in the order the tasks were announced. */
export function rows(progress: TaskProgress): Row[] {
  const out: Row[] = [];
  const walk = (cards: readonly SubTaskProgress[], depth: number) => {
    for (const card of cards) {
      out.push({ card, depth });
      walk(card.subtasks, depth + 1);
    }
  };
  walk(progress.subtasks, 0);
  return out;
}

/** A group of leaf cards under the container they belong to (undefined: the run itself). */
export interface Group {
  container?: SubTaskProgress;
  cards: SubTaskProgress[];
}

/**
 * The cards as the board lays them out: each container (a task with sub-tasks, like an
 * orchestrated run's `plan` and `execute`) heads a group of its leaf sub-tasks.
 */
export function groups(progress: TaskProgress): Group[] {
  const top: Group = { cards: [] };
  const out: Group[] = [top];
  const walk = (cards: readonly SubTaskProgress[], group: Group) => {
    for (const card of cards) {
      if (card.subtasks.length === 0) group.cards.push(card);
      else {
        const own: Group = { container: card, cards: [] };
        out.push(own);
        walk(card.subtasks, own);
      }
    }
  };
  walk(progress.subtasks, top);
  return out.filter((g) => g.cards.length > 0 || g.container !== undefined);
}

/** Task id → its card's name, for labels. */
export function names(progress: TaskProgress): Map<string, string> {
  const map = new Map<string, string>([[progress.taskId, progress.name]]);
  for (const { card } of rows(progress)) map.set(card.taskId, card.name);
  return map;
}
