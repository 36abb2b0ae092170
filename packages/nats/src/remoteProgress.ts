import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createLogger, type Logger, type ProgressEvent, ProgressEventSchema } from '@troupe/core';
import { Observable } from 'rxjs';
import { type NatsConnectOptions, openConnection } from './connection.js';
import { natsFailure } from './natsErrors.js';
import { ensureProgressStream, type ProgressStreamOptions } from './progressStream.js';
import { progressSubject } from './subjects.js';

/** Options of {@link remoteProgress$}: an open connection (`nc`) or how to open one (`connection`), and which run. */
export interface RemoteProgressOptions {
  /** An open connection to use (left open). */
  nc?: NatsConnection;
  /** nats.js options to open a connection with (closed on unsubscribe), when `nc` is not given. */
  connection?: NatsConnectOptions;
  /** The namespace the run belongs to. */
  namespace: string;
  /** The run to follow. */
  runId: string;
  /** Complete after a `run.finished` event instead of following forever. */
  untilFinished?: boolean;
  /** Limits used if the progress stream has to be created (it normally exists already). */
  progressStream?: ProgressStreamOptions;
  /** Where invalid events are reported (default: stderr at `TROUPE_LOG` or `warn`). */
  logger?: Logger;
}

const decoder = new TextDecoder();

/**
 * A run's progress events from NATS: replays the run from its first event
 * (an ordered JetStream consumer delivering all), then follows live. Each
 * event is validated with `ProgressEventSchema`; invalid ones are skipped.
 * (A stored message holds one event or an array of them.)
 * Unsubscribing deletes the consumer and closes a connection it opened. Errors are typed:
 * `UnauthorizedError` when the server refuses the credentials or the stream, else `TransportError`.
 * @example
 * remoteProgress$({ connection: { servers: 'nats://127.0.0.1:4222' }, namespace: 'demo', runId }).subscribe(console.log);
 */
export function remoteProgress$(options: RemoteProgressOptions): Observable<ProgressEvent> {
  return new Observable<ProgressEvent>((subscriber) => {
    const logger = options.logger ?? createLogger({ name: 'troupe:nats' });
    const cleanups: Array<() => Promise<unknown>> = [];
    let stopped = false;
    const cleanup = async () => {
      // Newest first: stop consuming, delete the consumer, then close the connection we opened.
      for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
    };
    const run = async () => {
      const { namespace, runId, progressStream } = options;
      let nc = options.nc;
      if (!nc) {
        const opened = await openConnection(options.connection);
        cleanups.push(() => opened.close());
        nc = opened;
      }
      if (stopped) return;
      const stream = await ensureProgressStream(await jetstreamManager(nc), namespace, progressStream);
      // An ordered consumer starts at stream sequence 1 by default: the whole run, then live.
      // (Passing DeliverPolicy.All would clash with the start sequence nats.js always sets.)
      const consumer = await jetstream(nc).consumers.get(stream, {
        filter_subjects: progressSubject(namespace, runId),
      });
      cleanups.push(() => consumer.delete());
      if (stopped) return;
      const messages = await consumer.consume({ callback: (msg) => onEvent(msg.data, msg.subject) });
      cleanups.push(() => messages.close());
    };
    const onEvent = (data: Uint8Array, subject: string) => {
      let raw: unknown;
      try {
        raw = JSON.parse(decoder.decode(data));
      } catch {
        logger.warn('skipped a progress event that is not JSON', { subject });
        return;
      }
      // A message holds one event or several of the run, in order.
      for (const item of Array.isArray(raw) ? raw : [raw]) {
        const parsed = ProgressEventSchema.safeParse(item);
        if (!parsed.success) {
          logger.warn('skipped an invalid progress event', {
            subject,
            issue: parsed.error.issues[0]?.message,
          });
          continue;
        }
        if (subscriber.closed) return;
        subscriber.next(parsed.data);
        if (options.untilFinished && parsed.data.kind === 'run.finished') subscriber.complete();
      }
    };
    run().then(
      () => {
        if (stopped) void cleanup();
      },
      (err: unknown) => {
        void cleanup();
        if (!stopped) subscriber.error(natsFailure(err, `following the progress of run '${options.runId}'`));
      },
    );
    return () => {
      stopped = true;
      void cleanup();
    };
  });
}
