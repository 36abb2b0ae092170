import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledError, createLogger, type Logger, type Runtime } from '@troupe/core';
import {
  type Consumer,
  type ConsumerMessages,
  Events,
  type JetStreamClient,
  type NatsConnection,
  type Status,
} from 'nats';
import { NatsKvStore } from '../store/NatsKvStore.js';
import { ensureTaskStream, ensureWorkersConsumer, type TaskStreamOptions } from './ensureStream.js';
import { checkNamespace, deadLetterSubjectFor, resultsBucketName, tasksStreamName } from './names.js';
import { type ProcessContext, processTask, settle } from './processTask.js';
import { type DurableWorkerStats, newCounters, type WorkerCounters } from './workerStats.js';

/** Options of {@link startDurableWorker}. */
export interface DurableWorkerOptions {
  /** An open connection; the worker uses it and leaves it open. */
  nc: NatsConnection;
  /** The runtime hosting the agents tasks are addressed to. */
  runtime: Runtime;
  /** Namespace of the task queue (default: the runtime's). */
  namespace?: string;
  /** A delivery without ack or progress for this long is redelivered, ms (default 30 000). */
  ackWaitMs?: number;
  /** Deliveries allowed before a failing task is dead-lettered (default 5). */
  maxDeliver?: number;
  /** Where poison tasks go (default `troupe.<ns>.tasks.dead`, kept by the tasks stream). */
  deadLetterSubject?: string;
  /** Tasks run at once by this worker (default 16). */
  concurrency?: number;
  /** How long one execution may take, ms (default: the runtime's `defaultTimeout`). */
  taskTimeout?: number;
  /** Settings of the work-queue stream, used if this worker creates it. */
  stream?: TaskStreamOptions;
  /** How long an idle pull waits before asking again, ms (default 5 000; at least 1 000). */
  pullExpiresMs?: number;
  /** This worker's id in results and dead letters (default `<host>-<pid>-<random>`). */
  id?: string;
  logger?: Logger;
}

/** Options of {@link DurableWorker.close}. */
export interface DurableWorkerCloseOptions {
  /** How long to let in-flight tasks finish before abandoning them to redelivery, ms (default 10 000). */
  timeout?: number;
}

/**
 * Takes tasks from the namespace's work queue through a durable pull consumer shared by every
 * worker, runs each on its runtime, records the outcome, then acks. Make one with
 * {@link startDurableWorker}.
 */
export class DurableWorker implements AsyncDisposable {
  readonly id: string;
  readonly namespace: string;
  readonly #options: DurableWorkerOptions;
  readonly #ctx: ProcessContext;
  readonly #concurrency: number;
  readonly #abandon = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #loop: Promise<void>;
  #wake: (() => void) | undefined;
  #batch: ConsumerMessages | undefined;
  #stopping = false;
  #stopStatus: (() => void) | undefined;
  readonly #keepAlive: ReturnType<typeof setInterval>;
  #closing: Promise<void> | undefined;

  /** @internal use {@link startDurableWorker}. */
  constructor(
    options: DurableWorkerOptions,
    setup: { results: NatsKvStore; namespace: string; id: string; consumer: Consumer },
  ) {
    const { results, namespace, id } = setup;
    this.id = id;
    this.namespace = namespace;
    this.#options = options;
    this.#concurrency = Math.max(1, options.concurrency ?? 16);
    const js: JetStreamClient = options.nc.jetstream();
    this.#ctx = {
      runtime: options.runtime,
      results,
      nc: options.nc,
      js,
      workerId: id,
      maxDeliver: Math.max(1, options.maxDeliver ?? 5),
      ackWaitMs: options.ackWaitMs ?? 30_000,
      taskTimeout: options.taskTimeout ?? options.runtime.defaultTimeout,
      deadLetterSubject: options.deadLetterSubject ?? deadLetterSubjectFor(namespace),
      abandon: this.#abandon.signal,
      running: new Set(),
      counters: newCounters(),
      logger: options.logger ?? createLogger({ name: `troupe:${namespace}:durable` }),
    };
    // One timer for every running task rather than one per task.
    this.#keepAlive = setInterval(
      () => {
        for (const msg of this.#ctx.running) settle(() => msg.working());
      },
      Math.max(100, Math.floor(this.#ctx.ackWaitMs / 3)),
    );
    this.#loop = this.#run(setup.consumer);
    void this.#onReconnect();
  }

  /** Counters and the number of tasks running now. */
  stats(): DurableWorkerStats {
    const counters: WorkerCounters = this.#ctx.counters;
    return { ...counters, inFlight: this.#inFlight.size };
  }

  /**
   * Stops pulling, lets in-flight tasks finish (up to `timeout`), then abandons the rest: they are
   * nak'ed, never acked, so another worker gets them. Leaves the connection open. Idempotent.
   */
  close(options: DurableWorkerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeout ?? 10_000);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(timeout: number): Promise<void> {
    this.#stopping = true;
    this.#stopStatus?.();
    this.#batch?.stop();
    this.#wake?.();
    await this.#loop;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), expired]);
    clearTimeout(timer);
    if (this.#inFlight.size > 0) this.#abandon.abort(new CancelledError('durable worker closed'));
    await Promise.allSettled([...this.#inFlight]);
    clearInterval(this.#keepAlive);
    await this.#ctx.results.close();
  }

  async #run(first: Consumer): Promise<void> {
    let consumer: Consumer | undefined = first;
    let failures = 0;
    while (!this.#stopping) {
      await this.#freeSlot();
      if (this.#stopping) break;
      try {
        consumer ??= await openConsumer(this.#options, this.namespace, this.#ctx.maxDeliver);
        const expires = Math.max(1_000, this.#options.pullExpiresMs ?? 5_000);
        const started = Date.now();
        const batch = await consumer.fetch({
          max_messages: this.#concurrency - this.#inFlight.size,
          expires,
        });
        this.#batch = batch;
        if (this.#stopping) batch.stop();
        let received = 0;
        for await (const msg of batch) {
          received++;
          if (this.#stopping) settle(() => msg.nak());
          else this.#start(processTask(msg, this.#ctx));
        }
        failures = 0;
        // A pull the server ends at once without messages (limits, a status) must not become a busy loop.
        if (received === 0 && Date.now() - started < expires / 2 && !this.#stopping) await sleep(250);
      } catch (err) {
        // Server restarting, consumer gone, JetStream busy: set everything up again after a pause.
        consumer = undefined;
        // A connection closed under us never comes back; the owner still calls close().
        if (this.#options.nc.isClosed()) break;
        failures++;
        if (failures === 1) this.#ctx.logger.debug('pulling tasks failed; retrying', { error: String(err) });
        if (!this.#stopping) await sleep(Math.min(100 * 2 ** failures, 2_000));
      } finally {
        this.#batch = undefined;
      }
    }
  }

  async #onReconnect(): Promise<void> {
    const statuses: AsyncIterable<Status> & { stop?: () => void } = this.#options.nc.status();
    this.#stopStatus = () => statuses.stop?.();
    for await (const status of statuses) {
      if (this.#stopping) return;
      // A pull request dies with the server; without this the loop would wait for it to expire.
      if (status.type === Events.Reconnect) this.#batch?.stop();
    }
  }

  #start(work: Promise<void>): void {
    const tracked = work
      .catch((err: unknown) => this.#ctx.logger.warn('durable task failed', { error: String(err) }))
      .finally(() => {
        this.#inFlight.delete(tracked);
        this.#wake?.();
      });
    this.#inFlight.add(tracked);
  }

  async #freeSlot(): Promise<void> {
    while (!this.#stopping && this.#inFlight.size >= this.#concurrency) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

/**
 * Starts a durable worker: ensures the work-queue stream, the shared consumer and the results
 * bucket, then pulls tasks until closed.
 * @example
 * await using worker = await startDurableWorker({ nc, runtime, concurrency: 8 });
 */
export async function startDurableWorker(options: DurableWorkerOptions): Promise<DurableWorker> {
  const namespace = checkNamespace(options.namespace ?? options.runtime.namespace);
  const consumer = await openConsumer(options, namespace, Math.max(1, options.maxDeliver ?? 5));
  const results = await NatsKvStore.open({ nc: options.nc, bucket: resultsBucketName(namespace) });
  const id = options.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return new DurableWorker(options, { results, namespace, id, consumer });
}

/** Ensures the stream and the shared consumer, and returns a handle on the consumer. */
async function openConsumer(
  options: DurableWorkerOptions,
  ns: string,
  maxDeliver: number,
): Promise<Consumer> {
  const jsm = await options.nc.jetstreamManager();
  await ensureTaskStream(jsm, ns, options.stream ?? {});
  const durable = await ensureWorkersConsumer(jsm, ns, {
    ackWaitMs: options.ackWaitMs ?? 30_000,
    // One spare delivery, so a task whose last attempt died with its worker still gets dead-lettered.
    maxDeliver: maxDeliver + 1,
  });
  return await options.nc.jetstream().consumers.get(tasksStreamName(ns), durable);
}
