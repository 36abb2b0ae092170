import type { ProgressEvent } from './events.js';
import { ProgressLedger } from './ledger.js';
import { snapshotOf } from './snapshot.js';
import type { TaskProgress } from './taskProgress.js';

export { MAX_LOGS, MAX_TOOL_CALLS } from './records.js';

/** Each snapshot made here → the ledger it came from (only the latest one may advance it). */
const ledgers = new WeakMap<TaskProgress, ProgressLedger>();

/** The snapshot before any event: no tasks, status pending. */
export function initialProgress(
  options: { taskId?: string; name?: string; description?: string } = {},
): TaskProgress {
  return issue(new ProgressLedger(options));
}

/**
 * Folds one progress event into a new snapshot, leaving `state` as it was; a duplicate event
 * returns `state` itself. Reducing the latest snapshot costs O(depth of the event's task) plus the
 * cards it changes and the child lists holding them (untouched cards are shared), so
 * `events.reduce(reduceProgress, initialProgress())` rebuilds any snapshot from the event log.
 * Reducing a snapshot that is not the latest of its chain (or one parsed from JSON) starts from
 * what it shows: weights 1, no ordering stamps, an empty duplicate window. For a live stream use
 * {@link trackProgress}, which also bounds how often a snapshot is built.
 */
export function reduceProgress(state: TaskProgress, event: ProgressEvent): TaskProgress {
  let ledger = ledgers.get(state);
  if (ledger === undefined || ledger.head !== state) ledger = ProgressLedger.restore(state);
  return ledger.apply(event) ? issue(ledger) : state;
}

function issue(ledger: ProgressLedger): TaskProgress {
  const snapshot = snapshotOf(ledger);
  ledgers.set(snapshot, ledger);
  return snapshot;
}
