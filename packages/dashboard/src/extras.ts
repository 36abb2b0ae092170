import type { ProgressEvent, SubTaskProgress } from '@troupe/core';

/** What the board shows per task beyond the progress snapshot, gathered from the events it saw. */
export interface TaskExtra {
  /** The model its last model call used. */
  model?: string;
  /** USD spent by its own model calls (not its sub-tasks'). */
  costUsd: number;
  /** Tool calls it started. */
  toolCalls: number;
}

/** Per-task model, cost and tool-call counts, folded from progress events as they arrive. */
export class Extras {
  readonly byTask = new Map<string, TaskExtra>();
  totalCostUsd = 0;
  toolCalls = 0;

  #of(taskId: string): TaskExtra {
    let e = this.byTask.get(taskId);
    if (e === undefined) {
      e = { costUsd: 0, toolCalls: 0 };
      this.byTask.set(taskId, e);
    }
    return e;
  }

  apply(ev: ProgressEvent): void {
    if (ev.kind === 'task.model_call') {
      const e = this.#of(ev.taskId);
      e.model = ev.model;
      e.costUsd += ev.costUsd ?? 0;
      this.totalCostUsd += ev.costUsd ?? 0;
    } else if (ev.kind === 'task.tokens' && ev.model !== undefined) {
      this.#of(ev.taskId).model = ev.model;
    } else if (ev.kind === 'task.tool_call' && ev.status === 'started') {
      this.#of(ev.taskId).toolCalls += 1;
      this.toolCalls += 1;
    }
  }

  /** Cost of a card's subtree, USD. */
  costOf(card: SubTaskProgress): number {
    let sum = this.byTask.get(card.taskId)?.costUsd ?? 0;
    for (const c of card.subtasks) sum += this.costOf(c);
    return sum;
  }

  /** The model of a card, or of the one sub-task model below it. */
  modelOf(card: SubTaskProgress): string | undefined {
    const own = this.byTask.get(card.taskId)?.model;
    if (own !== undefined) return own;
    const models = new Set<string>();
    for (const c of card.subtasks) {
      const m = this.modelOf(c);
      if (m !== undefined) models.add(m);
    }
    return models.size === 1 ? [...models][0] : undefined;
  }
}
