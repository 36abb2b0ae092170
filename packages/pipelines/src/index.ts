/** Asking an agent as a step. */
export { type AgentStepOptions, agentStep } from './agentStep.js';
/** Branches: `ifElse` and `switchCase`. */
export { type Condition, ifElse, type SwitchOptions, switchCase } from './branch.js';
/** Dependency graphs. */
export {
  type DagFailure,
  type DagInput,
  type DagNode,
  type DagNodes,
  type DagOptions,
  type DagOutcome,
  type DagOutputs,
  type DagSettled,
  dag,
} from './dag.js';
/** The error naming the step that failed a failFast combinator. */
export { STEP_FAILED, StepError } from './errors.js';
/** Loops. */
export { type LoopCondition, type LoopInfo, type LoopOptions, loop } from './loop.js';
/** AgentScope's message hub. */
export { MsgHub, type MsgHubOptions, msgHub, type Participant } from './MsgHub.js';
/** Well-known messages: `task.assign` (TaskGroup → agents) and `hub.message` (MsgHub → participants). */
export { HubMessage, type HubMessagePayload, TaskAssign, type TaskAssignment } from './messages.js';
/** Fan-out. */
export {
  type ParallelInput,
  type ParallelOptions,
  type ParallelOutputs,
  type ParallelSettled,
  parallel,
  type Settled,
} from './parallel.js';
/** Running a step: handles with result, progress, pause, resume, cancel. */
export { type RunOptions, run } from './RunHandle.js';
/** Backoff and retryability. */
export { type BackoffOptions, backoffDelay, isRetryable, sleep } from './retry.js';
/** Steps, their context, runs and what a run needs from a runtime. */
export type {
  AnyStep,
  InputOf,
  OutputOf,
  RunHandle,
  RunStatus,
  RuntimeLike,
  Step,
  StepContext,
  StepFn,
  StepLike,
  StepPolicy,
} from './scope.js';
/** Sequences. */
export { type SequentialOptions, sequential } from './sequential.js';
/** Making steps. */
export { isStep, type StepOptions, step } from './step.js';
/** Batch dispatch with progress, results, timeouts, retries and cancellation. */
export { createGroup, TaskGroup } from './TaskGroup.js';
/** A TaskGroup's options, tasks, records and results. */
export type {
  TaskGroupOptions,
  TaskGroupResults,
  TaskRecord,
  TaskSpec,
  TaskStatus,
  WaitOptions,
} from './taskTypes.js';
