// The run repository contract lives in @troupe/core (shared with @troupe/sql).
export type {
  EventPage,
  EventQuery,
  RunPage,
  RunQuery,
  RunRecord,
  RunRepository,
  RunStatus,
  StoredEvent,
} from '@troupe/core';
export { eventLimit, FINISHED_STATUSES, RUN_STATUSES, runLimit } from '@troupe/core';
