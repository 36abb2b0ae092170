import type { JetStreamManager } from '@nats-io/jetstream';
import { errorToWire, type Logger, TimeoutError } from '@troupe/core';
import type { NatsKvStore } from '../store/NatsKvStore.js';
import { tasksStreamName, typeConsumerName } from './names.js';
import type { TaskResult } from './taskRecord.js';

/** setTimeout's ceiling (~24.8 days); a longer start timeout waits unbounded, like core's timeouts. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Pause before re-checking a task whose check failed (server unreachable), ms. */
const RETRY_MS = 1_000;

interface Pending {
  taskId: string;
  type: string;
  /** The task's stream sequence (from the publish ack). */
  seq: number;
  startTimeout: number;
  runId?: string;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Ends the wait of queued tasks that no worker took within their `startTimeout`. The timer runs
 * on the dispatching process's clock only, from the moment JetStream stored the task; whether a
 * worker took it is read from the server (the type's consumer has delivered past the task's
 * sequence), so no two machines' clocks are ever compared. An expired task gets a `TimeoutError`
 * result through `setIfAbsent` (the same record-once path workers use, so exactly one outcome
 * wins) and is deleted from the queue; a worker that still receives it finds the result and acks
 * without running it.
 */
export class TaskExpiry {
  readonly #jsm: JetStreamManager;
  readonly #results: NatsKvStore;
  readonly #ns: string;
  readonly #logger: Logger;
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(options: { jsm: JetStreamManager; results: NatsKvStore; namespace: string; logger: Logger }) {
    this.#jsm = options.jsm;
    this.#results = options.results;
    this.#ns = options.namespace;
    this.#logger = options.logger;
  }

  /** Starts the clock of a task just stored at `seq`. */
  track(task: Omit<Pending, 'timer'>): void {
    if (task.startTimeout > MAX_TIMER_MS) return;
    this.#arm(task, task.startTimeout);
  }

  /** Stops every clock (tasks left then wait unbounded, see DURABLE.md). */
  close(): void {
    this.#closed = true;
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
  }

  #arm(task: Omit<Pending, 'timer'>, ms: number): void {
    const key = `${task.taskId}@${task.seq}`;
    const timer = setTimeout(() => {
      this.#pending.delete(key);
      this.#expire(task).catch((err: unknown) => {
        this.#logger.debug('checking a queued task past its start timeout failed; retrying', {
          taskId: task.taskId,
          error: String(err),
        });
        if (!this.#closed) this.#arm(task, RETRY_MS);
      });
    }, ms);
    timer.unref();
    this.#pending.set(key, { ...task, timer });
  }

  async #expire(task: Omit<Pending, 'timer'>): Promise<void> {
    if (this.#closed) return;
    const stream = tasksStreamName(this.#ns);
    if (await this.#taken(stream, task)) return;
    const result: TaskResult = {
      taskId: task.taskId,
      ok: false,
      error: errorToWire(
        new TimeoutError(
          `task '${task.taskId}' for '${task.type}' was not taken by a worker within ${task.startTimeout} ms`,
          { data: { taskId: task.taskId, startTimeout: task.startTimeout } },
        ),
      ),
      deadLettered: false,
      deliveries: 0,
      worker: 'dispatcher',
      finishedAt: Date.now(),
      ...(task.runId === undefined ? {} : { runId: task.runId }),
    };
    // A worker that recorded first wins; then the task is its, and stays where it is.
    if (!(await this.#results.setIfAbsent(task.taskId, result))) return;
    // Leave nothing queued; if this fails, the worker that receives it acks it unrun (result exists).
    await this.#jsm.streams.deleteMessage(stream, task.seq, false).catch(() => false);
  }

  /** Whether the type's consumer has delivered the task (a worker took it at least once). */
  async #taken(stream: string, task: Omit<Pending, 'timer'>): Promise<boolean> {
    try {
      const info = await this.#jsm.consumers.info(stream, typeConsumerName(this.#ns, task.type));
      return info.delivered.stream_seq >= task.seq;
    } catch (err) {
      // No consumer: no worker for this type ever started, so nobody took it.
      if (/not found/i.test(err instanceof Error ? err.message : '')) return false;
      throw err;
    }
  }
}
