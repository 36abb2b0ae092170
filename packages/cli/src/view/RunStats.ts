import type { ProgressEvent } from '@troupe/core';

/** What the live view shows per task beyond the `TaskProgress` card: model, tokens, cost. */
export interface TaskStats {
  /** The last model the task called. */
  model?: string;
  /** Tokens the task used (input + output). */
  tokens: number;
  /** USD the task's model calls cost, where a price table covered them. */
  costUsd: number;
  /** The question of a suspended task, until it is resumed. */
  question?: string;
}

/** A suspended task and what it asks. */
export interface Suspension {
  taskId: string;
  question: string;
}

/**
 * Per-task model, tokens and cost, the run's total cost, and the tasks waiting for an answer, folded
 * from the same events as the `TaskProgress` snapshot (so a replay rebuilds them too).
 */
export class RunStats {
  readonly tasks = new Map<string, TaskStats>();
  /** USD spent by the run's model calls that had a price. */
  costUsd = 0;
  /** Tokens counted from `task.tokens` (the snapshot's total, kept here for the budget). */
  tokens = 0;

  /** Folds one event in. */
  apply(event: ProgressEvent): void {
    const kind = event.kind as string;
    if (event.kind === 'task.tokens') {
      const t = this.#task(event.taskId);
      t.tokens += event.input + event.output;
      this.tokens += event.input + event.output;
      if (event.model !== undefined) t.model = event.model;
    } else if (event.kind === 'task.model_call') {
      const t = this.#task(event.taskId);
      t.model = event.model;
      if (event.costUsd !== undefined) {
        t.costUsd += event.costUsd;
        this.costUsd += event.costUsd;
      }
    } else if (kind === 'task.suspended') {
      const question = (event as { question?: unknown }).question;
      this.#task(event.taskId).question = typeof question === 'string' ? question : 'waiting for an answer';
    } else if (kind === 'task.resumed' || (kind.startsWith('task.') && isEnd(kind))) {
      const t = this.tasks.get(event.taskId);
      if (t !== undefined) delete t.question;
    }
  }

  /** Tasks waiting for an answer, in the order they asked. */
  suspended(): Suspension[] {
    const out: Suspension[] = [];
    for (const [taskId, t] of this.tasks)
      if (t.question !== undefined) out.push({ taskId, question: t.question });
    return out;
  }

  #task(id: string): TaskStats {
    let t = this.tasks.get(id);
    if (t === undefined) {
      t = { tokens: 0, costUsd: 0 };
      this.tasks.set(id, t);
    }
    return t;
  }
}

function isEnd(kind: string): boolean {
  return (
    kind === 'task.completed' ||
    kind === 'task.failed' ||
    kind === 'task.timed_out' ||
    kind === 'task.cancelled'
  );
}
