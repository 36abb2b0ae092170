import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CancelledError, createLogger, type Logger, type Runtime, ValidationError } from '@troupe/core';
import type { NatsKvStore } from '../store/NatsKvStore.js';
import { ensureTaskStream, ensureTypeConsumer, type TaskStreamOptions } from './ensureStream.js';
import { JetStreamPublisher } from './jsPublisher.js';
import { checkNamespace, deadLetterSubjectFor, tasksStreamName } from './names.js';
import { handBack, type ProcessContext, processTask, settle } from './processTask.js';
import { openResults } from './results.js';
import { ResultWriter } from './resultWriter.js';
import { setupFailure } from './setupFailure.js';
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
  /**
   * Failed deliveries allowed before a task is dead-lettered (default 5). Only attempts that
   * failed count (an error, a timeout, a worker that died with it); clean hand-backs do not.
   */
  maxDeliver?: number;
  /**
   * Clean hand-backs allowed per task (a worker closing re-queues what it was running), a budget
   * of their own; past it the task is dead-lettered as `MAX_HANDBACKS` (default 20).
   */
  maxHandbacks?: number;
  /**
   * The agent types this worker takes tasks for (default: every type registered on `runtime` when
   * the worker starts). Each type has its own consumer: a worker never receives another type's task.
   */
  types?: string[];
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
 * Takes tasks from the namespace's work queue through one durable pull consumer per agent type it
 * hosts (shared with the other workers hosting that type), runs each on its runtime, records the
 * outcome, then acks. Make one with {@link startDurableWorker}.
 */
export class DurableWorker implements AsyncDisposable {
  readonly id: string;
  readonly namespace: string;
  readonly #options: DurableWorkerOptions;
  readonly #ctx: ProcessContext;
  readonly #concurrency: number;
  readonly #abandon = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #loops: Promise<void>[];
  #wakers: Array<() => void> = [];
  readonly #batches = new Set<ConsumerMessages>();
  /** How many types share the slots. */
  readonly #share: number;
  #stopping = false;
  readonly #keepAlive: ReturnType<typeof setInterval>;
  readonly #publisher: JetStreamPublisher;
  #closing: Promise<void> | undefined;

  /** @internal use {@link startDurableWorker}. */
  constructor(
    options: DurableWorkerOptions,
    setup: { results: NatsKvStore; namespace: string; id: string; consumers: Map<string, Consumer> },
  ) {
    const { results, namespace, id } = setup;
    this.id = id;
    this.namespace = namespace;
    this.#options = options;
    this.#concurrency = Math.max(1, options.concurrency ?? 16);
    const js: JetStreamClient = jetstream(options.nc);
    this.#publisher = new JetStreamPublisher(options.nc);
    this.#ctx = {
      runtime: options.runtime,
      results,
      writer: new ResultWriter({ store: results, publisher: this.#publisher, nc: options.nc }),
      defer: (fn) => this.#publisher.defer(fn),
      nc: options.nc,
      js,
      workerId: id,
      maxDeliver: Math.max(1, options.maxDeliver ?? 5),
      maxHandbacks: Math.max(0, options.maxHandbacks ?? 20),
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
    this.#share = Math.max(1, setup.consumers.size);
    this.#loops = [...setup.consumers].map(([type, consumer]) => this.#run(type, consumer));
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
    for (const batch of this.#batches) batch.stop();
    this.#wakeAll();
    await Promise.all(this.#loops);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), expired]);
    clearTimeout(timer);
    if (this.#inFlight.size > 0) this.#abandon.abort(new CancelledError('durable worker closed'));
    await Promise.allSettled([...this.#inFlight]);
    clearInterval(this.#keepAlive);
    this.#publisher.close();
    await this.#ctx.results.close();
  }

  /**
   * Takes the type's tasks through one `consume()`: a standing pull the library refills as the
   * loop reads messages. The loop reads the next message only once a slot is free, so refills
   * wait with it: at most `concurrency` tasks run, and at most one pull window (this type's share
   * of `concurrency`) waits in the client buffer. `consume()` re-issues its pull itself after a
   * reconnect.
   */
  async #run(type: string, first: Consumer): Promise<void> {
    let consumer: Consumer | undefined = first;
    let failures = 0;
    const window = Math.max(1, Math.ceil(this.#concurrency / this.#share));
    const expires = Math.max(1_000, this.#options.pullExpiresMs ?? 5_000);
    while (!this.#stopping) {
      let messages: ConsumerMessages | undefined;
      try {
        consumer ??= await openConsumer(this.#options, this.namespace, type, this.#ctx.maxDeliver);
        // A consumer or stream that disappears ends the iteration, so it is set up again below.
        messages = await consumer.consume({ max_messages: window, expires, abort_on_missing_resource: true });
        this.#batches.add(messages);
        if (this.#stopping) messages.stop();
        for await (const msg of messages) {
          failures = 0;
          // Pulled while closing: re-queued untouched, without spending a delivery.
          if (this.#stopping) this.#start(handBack(msg, this.#ctx));
          else this.#start(processTask(msg, this.#ctx));
          if (this.#inFlight.size >= this.#concurrency) await this.#freeSlot();
        }
        if (!this.#stopping) throw new Error('the consumer stopped');
      } catch (err) {
        // Server restarting, consumer gone, JetStream busy: set everything up again after a pause.
        consumer = undefined;
        // A connection closed under us never comes back; the owner still calls close().
        if (this.#options.nc.isClosed()) break;
        failures++;
        if (failures === 1) this.#ctx.logger.debug('pulling tasks failed; retrying', { error: String(err) });
        if (!this.#stopping) await sleep(Math.min(100 * 2 ** failures, 2_000));
      } finally {
        if (messages) {
          this.#batches.delete(messages);
          messages.stop();
        }
      }
    }
  }

  #start(work: Promise<void>): void {
    const done = (): void => {
      this.#inFlight.delete(tracked);
      this.#wakeAll();
    };
    const tracked: Promise<void> = work.then(done, (err: unknown) => {
      this.#ctx.logger.warn('durable task failed', { error: String(err) });
      done();
    });
    this.#inFlight.add(tracked);
  }

  async #freeSlot(): Promise<void> {
    while (!this.#stopping && this.#inFlight.size >= this.#concurrency) {
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    }
  }

  #wakeAll(): void {
    if (this.#wakers.length === 0) return;
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }
}

/**
 * Starts a durable worker: ensures the work-queue stream, a consumer per hosted type and the
 * results bucket, then pulls tasks until closed.
 * @throws ValidationError when it hosts no type (nothing registered on the runtime, no `types`), or
 *   names an option out of range (`concurrency`, `maxDeliver` integers ≥ 1, `maxHandbacks` ≥ 0,
 *   `ackWaitMs`, `taskTimeout`, `pullExpiresMs` finite ms ≥ 1).
 * @throws TransportError (`UnauthorizedError` for a permission refusal) when JetStream does not
 *   answer the setup: server unreachable (after nats.js's 5 s request timeout), JetStream off.
 * @example
 * await using worker = await startDurableWorker({ nc, runtime, concurrency: 8 });
 */
export async function startDurableWorker(options: DurableWorkerOptions): Promise<DurableWorker> {
  checkWorkerOptions(options);
  const namespace = checkNamespace(options.namespace ?? options.runtime.namespace);
  const types = options.types ?? options.runtime.types();
  if (types.length === 0) {
    throw new ValidationError('a durable worker needs agent types: register agents first, or pass types', {
      issues: [{ path: 'types', message: 'no agent type' }],
    });
  }
  const consumers = new Map<string, Consumer>();
  const logger = options.logger ?? createLogger({ name: `troupe:${namespace}:durable` });
  let results: NatsKvStore;
  try {
    // One manager and one check of the stream for every type (each is a round trip).
    const jsm = await jetstreamManager(options.nc);
    await ensureTaskStream(jsm, namespace, options.stream ?? {}, options.logger);
    const maxDeliver = Math.max(1, options.maxDeliver ?? 5);
    for (const type of types)
      consumers.set(type, await typeConsumer(jsm, options, namespace, type, maxDeliver));
    results = await openResults(options.nc, jsm, namespace, options.stream ?? {}, logger);
  } catch (err) {
    throw setupFailure(err, 'worker', namespace, options.nc);
  }
  const id = options.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return new DurableWorker(options, { results, namespace, id, consumers });
}

/** Counts and durations must be numbers in range: `Math.max(1, NaN)` is NaN, which bounds nothing. */
function checkWorkerOptions(options: DurableWorkerOptions): void {
  const rules: Array<[keyof DurableWorkerOptions, number, boolean]> = [
    ['concurrency', 1, true],
    ['maxDeliver', 1, true],
    ['maxHandbacks', 0, true],
    ['ackWaitMs', 1, false],
    ['taskTimeout', 1, false],
    ['pullExpiresMs', 1, false],
  ];
  for (const [name, min, integer] of rules) {
    const value = options[name];
    if (value === undefined) continue;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= min &&
      (!integer || Number.isInteger(value));
    if (!ok) {
      const want = `${integer ? 'an integer' : 'a number of ms'} ≥ ${min}`;
      throw new ValidationError(`invalid ${name} ${String(value)}: use ${want}`, {
        issues: [{ path: name, message: `must be ${want}` }],
      });
    }
  }
}

/** Ensures the stream and the type's consumer, and returns a handle on the consumer. */
async function openConsumer(
  options: DurableWorkerOptions,
  ns: string,
  type: string,
  maxDeliver: number,
): Promise<Consumer> {
  const jsm = await jetstreamManager(options.nc);
  await ensureTaskStream(jsm, ns, options.stream ?? {}, options.logger);
  return await typeConsumer(jsm, options, ns, type, maxDeliver);
}

/** Ensures the type's consumer on the (existing) stream, and returns a handle on it. */
async function typeConsumer(
  jsm: JetStreamManager,
  options: DurableWorkerOptions,
  ns: string,
  type: string,
  maxDeliver: number,
): Promise<Consumer> {
  const durable = await ensureTypeConsumer(jsm, ns, type, {
    ackWaitMs: options.ackWaitMs ?? 30_000,
    // One spare delivery, so a task whose last attempt died with its worker still gets dead-lettered.
    maxDeliver: maxDeliver + 1,
  });
  return await jetstream(options.nc).consumers.get(tasksStreamName(ns), durable);
}
