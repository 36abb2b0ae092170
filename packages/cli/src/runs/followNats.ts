import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ProgressEvent } from '@troupe/core';
import { progressStreamName, progressSubject, remoteProgress$ } from '@troupe/nats';
import { Observable } from 'rxjs';

const decoder = new TextDecoder();

/**
 * A run's progress from the namespace's JetStream stream (`remoteProgress$`): the whole run so far,
 * then live, completing at the run's end. A run that was interrupted and resumed has several
 * `run.finished` events; the one that ends the stream is the first at or after the last event that
 * was stored when watching began. Emits nothing and completes at once for a run with no events
 * (resolve `known` false then).
 */
export function followNats(
  nc: NatsConnection,
  target: { namespace: string; runId: string },
  known: (hasEvents: boolean) => void,
): Observable<ProgressEvent> {
  return new Observable<ProgressEvent>((subscriber) => {
    let inner: { unsubscribe(): void } | undefined;
    let stopped = false;
    lastStored(nc, target)
      .then((last) => {
        known(last !== undefined);
        if (last === undefined || stopped) {
          subscriber.complete();
          return;
        }
        let caughtUp = false;
        inner = remoteProgress$({ nc, namespace: target.namespace, runId: target.runId }).subscribe({
          next: (event) => {
            subscriber.next(event);
            if (!caughtUp && sameEvent(event, last)) caughtUp = true;
            if (caughtUp && event.kind === 'run.finished') subscriber.complete();
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        });
      })
      .catch((err: unknown) => subscriber.error(err));
    return () => {
      stopped = true;
      inner?.unsubscribe();
    };
  });
}

/** The last event stored for the run now, or `undefined` when it has none. */
async function lastStored(
  nc: NatsConnection,
  target: { namespace: string; runId: string },
): Promise<ProgressEvent | undefined> {
  const jsm = await jetstreamManager(nc);
  try {
    const msg = await jsm.streams.getMessage(progressStreamName(target.namespace), {
      last_by_subj: progressSubject(target.namespace, target.runId),
    });
    if (msg === null) return undefined;
    const raw = JSON.parse(decoder.decode(msg.data)) as ProgressEvent | ProgressEvent[];
    return Array.isArray(raw) ? raw.at(-1) : raw;
  } catch (err) {
    if (/not found|no message/i.test((err as Error).message)) return undefined;
    throw err;
  }
}

function sameEvent(a: ProgressEvent, b: ProgressEvent): boolean {
  return a.ts === b.ts && a.seq === b.seq && a.kind === b.kind && a.taskId === b.taskId;
}
