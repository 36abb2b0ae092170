import { cmp, type TaskNode } from './taskNode.js';

/**
 * The running tasks ordered by their latest activity (`task.started` / `task.progress`): the last
 * one is the current agent and step. Events mostly arrive in order, so placing a task is O(1) at
 * the tail; no event scans the running tasks.
 */
export class ActivityList {
  #head: TaskNode | undefined;
  #tail: TaskNode | undefined;

  /** The running task with the newest activity. */
  get latest(): TaskNode | undefined {
    return this.#tail;
  }

  /** (Re)places a task by its activity stamp (a task with no activity yet is left out). */
  place(node: TaskNode): void {
    const { activityTs: ts, activitySeq: seq } = node;
    if (ts === Number.NEGATIVE_INFINITY) return;
    this.remove(node);
    let after = this.#tail;
    while (after !== undefined && cmp(after.activityTs, after.activitySeq, ts, seq) > 0) after = after.prev;
    node.prev = after;
    node.next = after === undefined ? this.#head : after.next;
    if (node.next === undefined) this.#tail = node;
    else node.next.prev = node;
    if (after === undefined) this.#head = node;
    else after.next = node;
    node.listed = true;
  }

  remove(node: TaskNode): void {
    if (!node.listed) return;
    if (node.prev === undefined) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
    node.listed = false;
  }
}
