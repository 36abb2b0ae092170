import type { AgentRef, ProgressEvent } from '@troupe/core';
import type { Observable } from 'rxjs';
import { TrackEvents } from './trackerAgent.js';

/** Options of {@link trackRun}. */
export interface TrackRunOptions {
  /** The run to follow; events of other runs are ignored. */
  runId: string;
  /** Milliseconds per `tracker.events` ask (default 10 000). */
  timeout?: number;
  /** Most events per ask (default 500). */
  maxBatch?: number;
}

/** A run being fed to a tracker; `close()` stops following and delivers what is left. */
export interface RunTracking extends AsyncDisposable {
  /** Events handed to the tracker so far. */
  readonly delivered: number;
  /** Resolves once every event seen so far reached the tracker; rejects with the last delivery error. */
  flush(): Promise<void>;
  /** Stops following the stream, then flushes. Idempotent. */
  close(): Promise<void>;
}

/**
 * Feeds one run's progress events to its tracker (`ref({ type: 'tracker',
 * key: runId })`): one `tracker.events` ask at a time, in the order the
 * events came, batching whatever arrived meanwhile. `events$` is
 * `runtime.progress$` in process, or `remoteProgress$` of `@troupe/nats` to
 * follow a run from anywhere. A failed ask keeps its events for the next
 * one; `flush()` reports the failure. Call it outside handlers, so its asks
 * are not part of the run they track.
 * @example
 * await using tracking = trackRun(runtime.progress$, runtime.ref({ type: 'tracker', key: runId }), { runId });
 */
export function trackRun(
  events$: Observable<ProgressEvent>,
  tracker: AgentRef,
  options: TrackRunOptions,
): RunTracking {
  const queue: ProgressEvent[] = [];
  const maxBatch = options.maxBatch ?? 500;
  let delivered = 0;
  let pumping: Promise<void> | undefined;
  let failure: unknown;
  const pump = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        await tracker.ask(TrackEvents.create({ runId: options.runId, events: batch }), {
          timeout: options.timeout ?? 10_000,
        });
        delivered += batch.length;
        failure = undefined;
      } catch (err) {
        queue.unshift(...batch);
        failure = err;
        return;
      }
    }
  };
  const kick = (): Promise<void> => {
    pumping ??= pump().finally(() => {
      pumping = undefined;
    });
    return pumping;
  };
  const subscription = events$.subscribe((event) => {
    if (event.runId !== options.runId) return;
    queue.push(event);
    void kick();
  });
  const flush = async (): Promise<void> => {
    await pumping;
    if (queue.length > 0) await kick();
    if (failure !== undefined) throw failure;
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    subscription.unsubscribe();
    closing ??= flush();
    return closing;
  };
  return {
    get delivered() {
      return delivered;
    },
    flush,
    close,
    [Symbol.asyncDispose]: close,
  };
}
