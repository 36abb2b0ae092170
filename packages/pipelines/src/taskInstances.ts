import type { RuntimeLike } from './scope.js';

/**
 * Instances for TaskGroup agent tasks, so `maxConcurrent: 4` really runs 4 at once: each running
 * task (one attempt of it) holds a keyed instance of its agent type of its own, like the design
 * note's one session per task, instead of queueing in the mailbox of the type's default instance
 * (where time spent waiting counted against its timeout). Keys are taken back when the attempt
 * ends and reused, so a runtime hosts at most as many of these instances per type as tasks of
 * that type ever ran at once. Keys carry a per-process tag, so two processes asking the same
 * agents over NATS do not share them.
 */
const TAG = Math.random().toString(36).slice(2, 8);

class KeyPool {
  readonly #free: string[] = [];
  #made = 0;
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  take(): string {
    return this.#free.pop() ?? `${this.#prefix}${this.#made++}`;
  }

  give(key: string): void {
    this.#free.push(key);
  }
}

const pools = new WeakMap<RuntimeLike, Map<string, KeyPool>>();

/** A key of `type` that no other running task of this process holds, and its release. */
export function taskInstanceKey(runtime: RuntimeLike, type: string): { key: string; release: () => void } {
  let byType = pools.get(runtime);
  if (byType === undefined) {
    byType = new Map();
    pools.set(runtime, byType);
  }
  let pool = byType.get(type);
  if (pool === undefined) {
    pool = new KeyPool(`task-${TAG}-`);
    byType.set(type, pool);
  }
  const key = pool.take();
  const owner = pool;
  return { key, release: () => owner.give(key) };
}
