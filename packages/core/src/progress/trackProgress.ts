import { Observable } from 'rxjs';
import type { ProgressEvent } from './events.js';
import { ProgressLedger } from './ledger.js';
import { snapshotOf } from './snapshot.js';
import type { TaskProgress } from './taskProgress.js';

/** Options of {@link trackProgress}. */
export interface TrackProgressOptions {
  /** The run's root task id (default: the id of the first `run.started`). */
  taskId?: string;
  /** The run's name (default: the `run.started` name, else its id). */
  name?: string;
  /** What the run is for. */
  description?: string;
  /** Most ms a change waits for its snapshot while snapshots are being batched (default 50). */
  maxDelay?: number;
}

/**
 * The work a snapshot may cost (cards built plus child-list slots copied): one this cheap follows
 * its event at once, as in any small run; a dearer one waits until the events since the last
 * snapshot have earned it at CREDIT_PER_EVENT each, so snapshots never cost more than about
 * CHEAP per event, whatever the fan-out width. (Copying a 100,000-slot list costs about as much
 * as building that many small cards: large arrays are allocated and collected apart.)
 */
const CHEAP = 64;
const CREDIT_PER_EVENT = 4;

/**
 * Reduces a progress event stream to live {@link TaskProgress} snapshots. Each event costs O(depth
 * of its task); a snapshot shares every unchanged card with the previous one and follows its event
 * at once while that is cheap, as in small runs. In a wide fan-out, where rebuilding a long child
 * list after every event would make the cost grow with the width, snapshots are batched: one is
 * built once the events since the last one have paid for it, or `maxDelay` ms after a change,
 * and always on `run.finished` and when the stream ends. The last snapshot equals
 * `events.reduce(reduceProgress, initialProgress(options))`.
 *
 * @example
 * ```ts
 * trackProgress(handle.progress$, { name: 'research' }).subscribe((p) => {
 *   console.log(`${p.overallProgress}% ${p.executionDetails.currentStep ?? ''}`);
 * });
 * ```
 */
export function trackProgress(
  events$: Observable<ProgressEvent>,
  options: TrackProgressOptions = {},
): Observable<TaskProgress> {
  return new Observable<TaskProgress>((subscriber) => {
    const ledger = new ProgressLedger(options);
    const maxDelay = options.maxDelay ?? 50;
    let credit = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const emit = (): void => {
      clearTimeout(timer);
      timer = undefined;
      credit = 0;
      if (ledger.changed) subscriber.next(snapshotOf(ledger));
    };
    const subscription = events$.subscribe({
      next(event) {
        if (!ledger.apply(event)) return; // a duplicate changes nothing
        credit += CREDIT_PER_EVENT;
        if (ledger.cost <= Math.max(credit, CHEAP) || event.kind === 'run.finished') emit();
        else timer ??= setTimeout(emit, maxDelay);
      },
      error(err: unknown) {
        emit();
        subscriber.error(err);
      },
      complete() {
        emit();
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      clearTimeout(timer);
    };
  });
}
