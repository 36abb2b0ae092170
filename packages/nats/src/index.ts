export type { NatsConnectOptions } from './connection.js';
export type { DispatcherOptions, DispatchInput, DispatchOptions } from './durable/Dispatcher.js';
export { createDispatcher, Dispatcher } from './durable/Dispatcher.js';
export type { DurableWorkerCloseOptions, DurableWorkerOptions } from './durable/DurableWorker.js';
export { DurableWorker, startDurableWorker } from './durable/DurableWorker.js';
export type { TaskStreamOptions } from './durable/ensureStream.js';
export {
  deadLetterStreamName,
  deadLetterSubjectFor,
  FAILURES_HEADER,
  HANDBACKS_HEADER,
  legacyWorkersConsumerName,
  resultsBucketName,
  TASK_ID_HEADER,
  taskFilter,
  taskSubject,
  tasksStreamName,
  tasksStreamSubjects,
  typeConsumerName,
  workersConsumerName,
} from './durable/names.js';
export type { RetentionOptions } from './durable/retention.js';
export { RETENTION_DEFAULTS } from './durable/retention.js';
export type { DeadLetter, DurableTask, TaskResult } from './durable/taskRecord.js';
export type { DurableWorkerStats } from './durable/workerStats.js';
export { AGENTS_MODULE_ERROR, AgentsModuleError, isAgentDef, loadAgents } from './loadAgents.js';
export type { NatsTransportOptions, NatsTransportSnapshot } from './NatsTransport.js';
export { connectNats, NatsTransport } from './NatsTransport.js';
export type { NamespacePermissions, NamespacePermissionsOptions } from './permissions.js';
export { namespacePermissions } from './permissions.js';
export type { ProgressStreamOptions } from './progressStream.js';
export { ensureProgressStream } from './progressStream.js';
export type { RemoteProgressOptions } from './remoteProgress.js';
export { remoteProgress$ } from './remoteProgress.js';
export type { Worker, WorkerOptions } from './startWorker.js';
export { startWorker } from './startWorker.js';
export type { NatsTransportStats } from './stats.js';
export type { NatsKvStoreOptions } from './store/NatsKvStore.js';
export { NatsKvStore } from './store/NatsKvStore.js';
export {
  controlSubject,
  instanceSubject,
  ownerKey,
  ownerSubject,
  ownersBucketName,
  progressStreamName,
  progressSubject,
  subjectToken,
  typeSubject,
} from './subjects.js';
