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
export { type MsgHub, type MsgHubOptions, msgHub, type Participant, type ParticipantLike } from './MsgHub.js';
/** Well-known messages: `task.assign` (TaskGroup → agents) and `hub.message` (MsgHub → participants). */
export { HubMessage, type HubMessagePayload, TaskAssign, type TaskAssignment } from './messages.js';
export {
  contextOf,
  IncompleteError,
  reactMessage,
  reactResult,
  SUBTASK_INCOMPLETE,
} from './orchestrate/executors.js';
/** The main job: plan → route → run the DAG → re-plan → report, journaled, resumable, replayable. */
export { REPLANS_EXHAUSTED } from './orchestrate/flow.js';
export {
  type AnswerRecord,
  type DoneRecord,
  type JournalState,
  journalKeys,
  type PlanRecord,
  type RetiredSubTask,
  type RunJournalStatus,
  type RunMeta,
  readJournal,
} from './orchestrate/journal.js';
export { orchestrate, resumeRun } from './orchestrate/orchestrate.js';
export { answerRun, listRuns, pendingQuestions, replayRun, runEvents } from './orchestrate/replay.js';
export { formatReport } from './orchestrate/report.js';
export { UNKNOWN_EXECUTOR, UnknownExecutorError } from './orchestrate/subtaskStep.js';
export { type SuspendChannelOptions, suspendChannel } from './orchestrate/suspendChannel.js';
export { UNKNOWN_RUN, UnknownRunError } from './orchestrate/suspensionsAgent.js';
export type {
  Budget,
  ExecutorSpec,
  OrchestrateHandle,
  OrchestrateOptions,
  OrchestrateReport,
  OrchestrateRuntime,
  ResumeOptions,
  StopReason,
  SubTaskInput,
  SubTaskReport,
  SubTaskStatus,
} from './orchestrate/types.js';
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
/** Step-level human in the loop: the questions suspended tasks wait on. */
export { NOT_SUSPENDED, NotSuspendedError, type Suspension } from './Suspensions.js';
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
  SuspendOptions,
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
