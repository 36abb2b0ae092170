import { distinctUntilChanged, type Observable, scan } from 'rxjs';
import type { ProgressEvent } from './events.js';
import { initialProgress, reduceProgress } from './reduceProgress.js';
import type { TaskProgress } from './taskProgress.js';

/**
 * Reduces a progress event stream to a live {@link TaskProgress} snapshot, one per event that changed it.
 *
 * @example
 * ```ts
 * trackProgress(runtime.progress$, { name: 'research' }).subscribe((p) => {
 *   console.log(`${p.overallProgress}% ${p.executionDetails.currentStep ?? ''}`);
 * });
 * ```
 */
export function trackProgress(
  events$: Observable<ProgressEvent>,
  options?: { taskId?: string; name?: string },
): Observable<TaskProgress> {
  // A duplicate event returns the same snapshot object, which is not worth re-emitting.
  return events$.pipe(scan(reduceProgress, initialProgress(options)), distinctUntilChanged());
}
