import type { TaskScope } from './scope.js';

/**
 * A set of tasks with O(1) add and remove and no hashing: each task keeps its own slot (in the
 * field this list owns), and removal moves the last task into the hole. A Set of 100,000 contexts
 * made every step of a wide fan-out pay for rehashing as it grew and shrank.
 */
export class TaskList {
  readonly #items: TaskScope[] = [];
  readonly #slot: 'openSlot' | 'runSlot';

  constructor(slot: 'openSlot' | 'runSlot') {
    this.#slot = slot;
  }

  add(task: TaskScope): void {
    if (task[this.#slot] >= 0) return;
    task[this.#slot] = this.#items.length;
    this.#items.push(task);
  }

  delete(task: TaskScope): void {
    const at = task[this.#slot];
    if (at < 0) return;
    task[this.#slot] = -1;
    const last = this.#items.pop() as TaskScope;
    if (last !== task) {
      this.#items[at] = last;
      last[this.#slot] = at;
    }
  }

  /** The tasks now, as an array of its own (safe to change the list while going through it). */
  toArray(): TaskScope[] {
    return this.#items.slice();
  }
}
