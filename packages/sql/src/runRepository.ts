// The run repository contract lives in @troupe/core (shared with @troupe/server).
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
