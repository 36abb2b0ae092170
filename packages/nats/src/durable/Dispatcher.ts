import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type AgentAddress,
  asCancellation,
  ClosedError,
  checkSignal,
  checkTimeout,
  createLogger,
  endSpan,
  errorFromWire,
  formatAddress,
  type Logger,
  PayloadTooLargeError,
  startQueueSpan,
  TransportError,
  tracingOn,
  ValidationError,
} from '@troupe/core';
import type { NatsKvStore } from '../store/NatsKvStore.js';
import { ensureTaskStream, type TaskStreamOptions } from './ensureStream.js';
import { JetStreamPublisher } from './jsPublisher.js';
import { checkNamespace, taskSubject } from './names.js';
import { type DispatchInput, newTask } from './newTask.js';
import { ResultWaiters, type ResultWaitOptions } from './ResultWaiters.js';
import { openResults } from './results.js';
import { resultsIterator } from './resultsIterator.js';
import { setupFailure } from './setupFailure.js';
import { TaskExpiry } from './taskExpiry.js';
import type { DurableTask, TaskResult } from './taskRecord.js';

const encoder = new TextEncoder();

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /** An open connection; the dispatcher uses it and leaves it open. */
  nc: NatsConnection;
  /** Isolates tenants and test runs (default `default`). */
  namespace?: string;
  /** Settings of the work-queue stream, used when it is created. */
  stream?: TaskStreamOptions;
  /** How often pending `result()` waits re-read the bucket in case the watch lags, ms (default 5 000). */
  pollMs?: number;
  /** Where retention warnings go (default: a `troupe:<ns>:durable` logger). */
  logger?: Logger;
}

export type { DispatchInput } from './newTask.js';

/** Options of {@link Dispatcher.dispatch}. */
export interface DispatchOptions {
  /**
   * Give up storing the task after this long, ms above 0 (default 30 000; `Infinity`: keep
   * retrying an unreachable server). It bounds the wait for JetStream's ack too, not only the
   * retries between attempts.
   */
  timeout?: number;
  /**
   * Aborting stops waiting and retrying at once: `dispatch()` rejects with `CancelledError` (or
   * the reason itself when it is a Troupe error). A task already sent may still be stored.
   */
  signal?: AbortSignal;
}

/**
 * Queues tasks on the namespace's JetStream work queue and reads their results back.
 * Make one with {@link createDispatcher}.
 */
export class Dispatcher implements AsyncDisposable {
  readonly namespace: string;
  /** The results bucket (task id → {@link TaskResult}). */
  readonly results: NatsKvStore;
  readonly #publisher: JetStreamPublisher;
  readonly #nc: NatsConnection;
  readonly #waiters: ResultWaiters;
  readonly #expiry: TaskExpiry;
  #closed = false;

  /** @internal use {@link createDispatcher}. */
  constructor(
    nc: NatsConnection,
    namespace: string,
    results: NatsKvStore,
    expiry: TaskExpiry,
    pollMs?: number,
  ) {
    this.namespace = namespace;
    this.results = results;
    this.#publisher = new JetStreamPublisher(nc);
    this.#nc = nc;
    this.#expiry = expiry;
    this.#waiters = new ResultWaiters({ store: results, nc, ...(pollMs === undefined ? {} : { pollMs }) });
  }

  /**
   * Queues a task and resolves to its id once JetStream has stored it. The id is also the
   * `Nats-Msg-Id`, so retrying after an unclear failure never queues it twice.
   * @throws ValidationError naming the field for a task a worker would refuse: a bad task id, an
   *   invalid address or message type, a `runId` over 128 characters, a `timeout`/`startTimeout`
   *   that is not a positive number of ms (`Infinity`: no bound), a payload that is not JSON.
   * @throws PayloadTooLargeError at once (never retried) when the task with its headers exceeds
   *   the server's `max_payload` or the stream's maximum message size.
   * @throws TransportError when the task was not stored within `options.timeout` (server
   *   unreachable, no ack); the task may still have been stored, and re-dispatching its id is safe.
   * @throws ValidationError naming `options.timeout` when it is not a number of ms above 0, or
   *   `options.signal` when it is not an `AbortSignal`.
   * @throws CancelledError when `options.signal` aborts first.
   * @throws ClosedError when the dispatcher or its NATS connection is closed, or closes before
   *   JetStream stored the task.
   */
  async dispatch(input: DispatchInput, options: DispatchOptions = {}): Promise<string> {
    if (this.#closed) throw new ClosedError('dispatcher is closed');
    if (this.#nc.isClosed()) throw new ClosedError("the dispatcher's NATS connection is closed");
    const task = newTask(input);
    if (options !== null && typeof options !== 'object') {
      throw new ValidationError('dispatch options must be an object: { timeout?, signal? }', {
        issues: [{ path: 'options', message: 'not an object' }],
      });
    }
    const { timeout, signal } = options ?? {};
    const deadline = Date.now() + checkTimeout(timeout === undefined ? 30_000 : timeout, 'options.timeout');
    checkSignal(signal, 'options.signal');
    // Tracing off: `task` carries the caller's trace context, if any, as it came.
    if (!tracingOn()) return await this.#store(task, deadline, signal);
    // Tracing on: the dispatch's span, its context carried in the task to the worker's ask.
    const attributes: Record<string, string> = {
      'troupe.message.type': task.message.type,
      'troupe.agent.type': task.to.type,
      'troupe.task.id': task.taskId,
    };
    if (task.runId !== undefined) attributes['troupe.run.id'] = task.runId;
    // The validated copy names the parent: `input` is not read again.
    const span = startQueueSpan(`dispatch ${task.message.type}`, attributes, task, task);
    if (span === undefined) return await this.#store(task, deadline, signal);
    try {
      const id = await this.#store(task, deadline, signal);
      endSpan(span, undefined);
      return id;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  /** Queues `task`, retrying until JetStream stored it or `deadline` (ms since the epoch) passed. */
  async #store(task: DurableTask, deadline: number, signal: AbortSignal | undefined): Promise<string> {
    const { taskId, to } = task;
    let json: string;
    try {
      json = JSON.stringify(task);
    } catch (err) {
      throw new ValidationError(
        `task '${taskId}': payload is not JSON-serializable: ${(err as Error).message}`,
        {
          issues: [{ path: 'message.payload', message: 'not JSON-serializable' }],
          cause: err,
        },
      );
    }
    const data = encoder.encode(json);
    const subject = taskSubject(this.namespace, to.type);
    const max = this.#nc.info?.max_payload;
    // `Nats-Msg-Id: <id>` plus the header block's framing.
    const size = data.length + 12 + 15 + taskId.length;
    if (max !== undefined && max > 0 && size > max) throw tooLarge(taskId, to, size, max);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw asCancellation(signal.reason);
      try {
        const ack = await this.#publisher.publish(subject, data, {
          msgID: taskId,
          // The attempt waits for its ack no longer than the dispatch may take, and not past an abort.
          timeoutMs: Math.max(1, deadline - Date.now()),
          ...(signal === undefined ? {} : { signal }),
        });
        // A duplicate (re-dispatch within the window) is already tracked, or was dispatched elsewhere.
        if (task.startTimeout !== undefined && !ack.duplicate) {
          this.#expiry.track({
            taskId,
            type: to.type,
            seq: ack.seq,
            startTimeout: task.startTimeout,
            ...(task.runId === undefined ? {} : { runId: task.runId }),
          });
        }
        return taskId;
      } catch (err) {
        if (signal?.aborted) throw asCancellation(signal.reason);
        if (isTooLarge(err)) throw tooLarge(taskId, to, size, max, err);
        // Closed for good (the dispatcher, or the connection under it): retrying cannot help.
        if (this.#closed || this.#nc.isClosed()) {
          const what = this.#closed ? 'dispatcher' : "dispatcher's NATS connection";
          throw new ClosedError(`${what} closed before JetStream stored task '${taskId}'`, {
            cause: err,
            data: { taskId },
          });
        }
        if (Date.now() >= deadline) {
          throw new TransportError(
            `dispatch of '${taskId}' to ${formatAddress(to)} failed: not stored within options.timeout (it may still be; re-dispatching the id is safe)`,
            { cause: err, data: { taskId } },
          );
        }
        const pause = Math.min(100 * 2 ** attempt, 2_000, Math.max(0, deadline - Date.now()));
        await sleep(pause, undefined, signal ? { signal } : {}).catch(() => {
          throw asCancellation(signal?.reason);
        });
      }
    }
  }

  /**
   * The task's value once it is recorded; rejects with its recorded error, typed (`errorFromWire`).
   * @throws ValidationError naming `timeout` when `options.timeout` is not a number of ms above 0 (or `Infinity`).
   * @throws TimeoutError when no result came within `options.timeout`; ClosedError when the dispatcher closes.
   */
  async result<T = unknown>(taskId: string, options: ResultWaitOptions = {}): Promise<T> {
    const outcome = await this.outcome<T>(taskId, options);
    if (outcome.ok) return outcome.value;
    throw errorFromWire(outcome.error);
  }

  /**
   * The task's recorded {@link TaskResult} once there is one (errors are data here, not thrown).
   * @throws ValidationError, TimeoutError, ClosedError as {@link Dispatcher.result}.
   */
  outcome<T = unknown>(taskId: string, options: ResultWaitOptions = {}): Promise<TaskResult<T>> {
    return this.#waiters.wait(taskId, options) as Promise<TaskResult<T>>;
  }

  /**
   * The result recorded so far for a task, or `undefined`: one read of the bucket, which does not
   * wait for a result to be recorded.
   * @throws TransportError when the server does not answer the read (unreachable: after nats.js's
   *   5 s request timeout).
   */
  peek<T = unknown>(taskId: string): Promise<TaskResult<T> | undefined> {
    return this.results.get<TaskResult<T>>(taskId);
  }

  /** Every recorded result (existing ones first, then new ones), optionally of one run, until `signal` aborts. */
  watchResults(options: { runId?: string; signal?: AbortSignal } = {}): AsyncIterable<TaskResult> {
    return resultsIterator(this.results, options);
  }

  /**
   * Lets dispatches already sent finish (their acks arrive, up to the publish timeout, 5 s), then
   * rejects pending waits with `ClosedError` and stops watching; the connection stays open. A
   * dispatch that could not be stored by then rejects with `ClosedError`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#expiry.close();
    // Dispatches already sent get their acks (and resolve) before the publisher stops listening.
    await this.#publisher.drain();
    await this.#waiters.close();
    await this.results.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function tooLarge(
  taskId: string,
  to: AgentAddress,
  size: number,
  max: number | undefined,
  cause?: unknown,
): PayloadTooLargeError {
  const limit = max === undefined ? 'its limit' : `the maximum of ${max}`;
  return new PayloadTooLargeError(
    `task '${taskId}' to ${formatAddress(to)} is ${size} bytes; ${limit} (put large inputs in a store and send a reference)`,
    { data: { taskId, size, ...(max === undefined ? {} : { max }) }, ...(cause ? { cause } : {}) },
  );
}

/** The client's own size check, or JetStream refusing a message over the stream's `max_msg_size`. */
function isTooLarge(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'MAX_PAYLOAD_EXCEEDED') return true;
  return /message size exceeds maximum|maximum payload exceeded/i.test(
    err instanceof Error ? err.message : '',
  );
}

/**
 * Connects to (creating if needed) the namespace's work-queue stream and results bucket.
 * @throws ValidationError for a bad namespace; TransportError (`UnauthorizedError` for a
 *   permission refusal) when JetStream does not answer the setup: server unreachable (after
 *   nats.js's 5 s request timeout), JetStream off.
 * @example
 * await using dispatcher = await createDispatcher({ nc, namespace: 'prod' });
 * const taskId = await dispatcher.dispatch({ to: { type: 'writer' }, message: Draft.create({ topic }) });
 * const draft = await dispatcher.result(taskId, { timeout: 60_000 });
 */
export async function createDispatcher(options: DispatcherOptions): Promise<Dispatcher> {
  const namespace = checkNamespace(options.namespace ?? 'default');
  const logger = options.logger ?? createLogger({ name: `troupe:${namespace}:durable` });
  try {
    const jsm = await jetstreamManager(options.nc);
    await ensureTaskStream(jsm, namespace, options.stream ?? {}, logger);
    const results = await openResults(options.nc, jsm, namespace, options.stream ?? {}, logger);
    const expiry = new TaskExpiry({ jsm, results, namespace, logger });
    return new Dispatcher(options.nc, namespace, results, expiry, options.pollMs);
  } catch (err) {
    throw setupFailure(err, 'dispatcher', namespace, options.nc);
  }
}
