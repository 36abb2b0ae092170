import type { ProgressEvent } from '@troupe/core';
import type { Budget, StopReason } from './types.js';

/** Tokens and USD of a set of model calls. */
export interface Usage {
  input: number;
  output: number;
  costUsd: number;
}

const zero = (): Usage => ({ input: 0, output: 0, costUsd: 0 });

/**
 * Counts a run's tokens (`task.tokens`) and cost (`task.model_call.costUsd`) as its events go by,
 * in all and per sub-task: an event belongs to the sub-task whose card it is on or under (each
 * task learns its owner from its parent's). Checks the budget after each count.
 */
export class Accounting {
  readonly total: Usage = zero();
  readonly #bySubtask = new Map<string, Usage>();
  readonly #owner = new Map<string, string>();
  readonly #budget: Budget;
  #exceeded: StopReason | undefined;

  constructor(budget: Budget = {}) {
    this.#budget = budget;
  }

  /** The budget limit reached first, once one is. */
  get exceeded(): StopReason | undefined {
    return this.#exceeded;
  }

  /** Says that task `taskId` (a card) does the work of sub-task `subtaskId`. */
  own(taskId: string, subtaskId: string): void {
    this.#owner.set(taskId, subtaskId);
  }

  /** The sub-task a task works for (through its parents), if known. */
  ownerOf(taskId: string): string | undefined {
    return this.#owner.get(taskId);
  }

  /** Usage of one sub-task so far. */
  of(subtaskId: string): Usage {
    return this.#bySubtask.get(subtaskId) ?? zero();
  }

  /** Folds an event in; returns the limit reached by it, if this event reached one. */
  apply(event: ProgressEvent): StopReason | undefined {
    let owner = this.#owner.get(event.taskId);
    if (owner === undefined && event.parentId !== undefined) {
      owner = this.#owner.get(event.parentId);
      if (owner !== undefined) this.#owner.set(event.taskId, owner);
    }
    if (event.kind === 'task.tokens') this.#add(owner, event.input, event.output, 0);
    else if (event.kind === 'task.model_call' && event.costUsd !== undefined)
      this.#add(owner, 0, 0, event.costUsd);
    else return undefined;
    return this.#check();
  }

  /** Counts usage known from elsewhere (a reply's usage, when no event of it was seen). */
  addUsage(subtaskId: string, usage: Usage): StopReason | undefined {
    this.#add(subtaskId, usage.input, usage.output, usage.costUsd);
    return this.#check();
  }

  /** Checks the wall-time budget against `startedAt` (ms since the epoch). */
  checkTime(startedAt: number, now = Date.now()): StopReason | undefined {
    const seconds = this.#budget.seconds;
    if (seconds === undefined || this.#exceeded !== undefined) return undefined;
    if (now - startedAt >= seconds * 1000) this.#exceeded = 'budget.seconds';
    return this.#exceeded;
  }

  #add(owner: string | undefined, input: number, output: number, costUsd: number): void {
    this.total.input += input;
    this.total.output += output;
    this.total.costUsd += costUsd;
    if (owner === undefined) return;
    let u = this.#bySubtask.get(owner);
    if (u === undefined) {
      u = zero();
      this.#bySubtask.set(owner, u);
    }
    u.input += input;
    u.output += output;
    u.costUsd += costUsd;
  }

  #check(): StopReason | undefined {
    if (this.#exceeded !== undefined) return undefined;
    const { tokens, costUsd } = this.#budget;
    if (tokens !== undefined && this.total.input + this.total.output >= tokens)
      this.#exceeded = 'budget.tokens';
    else if (costUsd !== undefined && this.total.costUsd >= costUsd) this.#exceeded = 'budget.costUsd';
    return this.#exceeded;
  }
}
