import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger, ProgressEvent } from '@troupe/core';
import { ensureProgressStream, type ProgressStreamOptions } from './progressStream.js';
import type { NatsTransportStats } from './stats.js';
import { progressSubject } from './subjects.js';

/** Events kept while the stream is being set up; beyond this the oldest are dropped. */
const MAX_BUFFERED = 10_000;
/** Events of one run sent as one message at most. */
const MAX_BATCH = 64;

/**
 * Publishes progress events to `troupe.<ns>.progress.<runId>`, captured by
 * the namespace's JetStream stream. A message holds one event, or an array of
 * events of that run in order (those emitted within one I/O turn). Plain
 * publishes, not JetStream ones: the hot path waits for no ack and can
 * produce no rejection. Events emitted before the stream exists are held
 * back so a late subscriber still sees a run from its first event.
 */
export class ProgressPublisher {
  readonly #namespace: string;
  readonly #logger: Logger;
  readonly #stats: NatsTransportStats;
  #connection: NatsConnection | undefined;
  #buffer: ProgressEvent[] | undefined = [];
  #queue: ProgressEvent[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;

  constructor(options: { namespace: string; logger: Logger; stats: NatsTransportStats }) {
    this.#namespace = options.namespace;
    this.#logger = options.logger;
    this.#stats = options.stats;
  }

  /** Creates the stream (idempotently), then sends what was held back. */
  async start(connection: NatsConnection, stream: ProgressStreamOptions): Promise<void> {
    if (connection.info?.jetstream === true) {
      try {
        await ensureProgressStream(await jetstreamManager(connection), this.#namespace, stream);
      } catch (err) {
        this.#logger.warn('could not create the progress stream; late subscribers will miss events', {
          error: (err as Error).message,
        });
      }
    } else {
      this.#logger.warn('JetStream unavailable: progress events are published but not stored');
    }
    this.#connection = connection;
    const held = this.#buffer ?? [];
    this.#buffer = undefined;
    for (const event of held) this.publish(event);
  }

  /**
   * Queues one event. Queued events go out right after the next reply, or
   * at the end of the current I/O turn, so a reply never waits behind the
   * progress it caused. Held back until {@link ProgressPublisher.start} finished.
   */
  publish(event: ProgressEvent): void {
    if (!this.#connection) {
      if (!this.#buffer) return;
      if (this.#buffer.length >= MAX_BUFFERED) {
        this.#buffer.shift();
        this.#stats.progressDropped++;
      }
      this.#buffer.push(event);
      return;
    }
    this.#queue.push(event);
    this.#scheduled ??= setImmediate(this.#flush);
  }

  /** Sends what is queued now (right after a reply: both leave in one socket write, the reply first). */
  flush(): void {
    if (this.#queue.length === 0) return;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#flush();
  }

  readonly #flush = (): void => {
    this.#scheduled = undefined;
    const queue = this.#queue;
    this.#queue = [];
    // One message per run and flush: a quick task's started and completed events share one stored message.
    const byRun = new Map<string, ProgressEvent[]>();
    for (const event of queue) {
      const run = byRun.get(event.runId);
      if (run) run.push(event);
      else byRun.set(event.runId, [event]);
    }
    for (const [runId, events] of byRun) {
      for (let i = 0; i < events.length; i += MAX_BATCH) this.#send(runId, events.slice(i, i + MAX_BATCH));
    }
  };

  #send(runId: string, events: ProgressEvent[]): void {
    const nc = this.#connection;
    if (!nc) {
      this.#stats.progressDropped += events.length;
      return;
    }
    try {
      const body = events.length === 1 ? events[0] : events;
      nc.publish(progressSubject(this.#namespace, runId), Buffer.from(JSON.stringify(body)));
      this.#stats.progressPublished += events.length;
    } catch (err) {
      if (events.length > 1) {
        // Too large together (or one bad event): try them one by one.
        for (const event of events) this.#send(runId, [event]);
        return;
      }
      this.#stats.progressDropped++;
      this.#logger.debug('progress event dropped', { error: (err as Error).message, kind: events[0]?.kind });
    }
  }

  /** Stops publishing; later events are dropped. */
  stop(): void {
    this.flush();
    this.#connection = undefined;
    this.#buffer = undefined;
  }
}
