/**
 * Plumbing shared with sibling packages (`@troupe/cli`), not a stable API: it may change in any
 * release.
 */
export { importModule } from './loadAgents.js';
export type { WorkerCliIo } from './workerCli.js';
export {
  parseWorkerArgs,
  runWorkerCli,
  WORKER_USAGE,
  WORKER_USAGE_ERROR,
  WorkerUsageError,
} from './workerCli.js';
