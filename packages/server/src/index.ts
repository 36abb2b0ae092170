export type { EventPage, RunPage, RunRecord, RunRepository, RunStatus, StoredEvent } from '@troupe/core';
export { FINISHED_STATUSES, RUN_STATUSES } from '@troupe/core';
export type { ServerOptions, TroupeServer } from './createServer.js';
export { createServer } from './createServer.js';
export {
  MissingPackageError,
  RunConflictError,
  RunExistsError,
  RunNotFoundError,
  ServerErrorCode,
} from './errors.js';
export { FileRunRepository } from './FileRunRepository.js';
export { defaultGoalWorkflow } from './goalWorkflow.js';
export type { LiveRunOptions } from './LiveRun.js';
export { MemoryRunRepository } from './MemoryRunRepository.js';
export { openApiDocument } from './openapi.js';
export { closeOrphanedRuns } from './orphans.js';
export type { CreateTaskBody, TaskOptions } from './schemas.js';
export { CreateTaskBodySchema, RunRecordSchema, TaskOptionsSchema } from './schemas.js';
export type { SteerableSession } from './sessions.js';
export { SessionBoard } from './sessions.js';
export { openSqlRepository } from './sqlRepository.js';
export type { WsClientLimits } from './WsClient.js';
export type { GoalWorkflow, ServerWorkflow, ServerWorkflowContext } from './workflow.js';
