// First, so a wrong zod fails with ZodVersionError before any module builds a schema with it.
import './zodVersion.js';

export type {
  AgentDef,
  Handler,
  HandlerSpec,
  HandlesAgentConfig,
  HandlesProtocol,
  MachineAgentConfig,
  SupervisionOptions,
} from './agent/defineAgent.js';
export { defineAgent, on } from './agent/defineAgent.js';
export { fail, reply } from './agent/machineActions.js';
export type {
  AgentRef,
  AgentTarget,
  AnyProtocol,
  AskOptions,
  HandlerContext,
  Protocol,
  ProtocolEntry,
  TellOptions,
} from './agent/types.js';
export type { ErrorCodeValue, TroupeErrorOptions, ValidationIssue } from './errors/errors.js';
export {
  AgentFailedError,
  CancelledError,
  ClosedError,
  CrashError,
  CycleError,
  DeadlockError,
  ErrorCode,
  HandlerError,
  NoRespondersError,
  PayloadTooLargeError,
  TimeoutError,
  TransportError,
  TroupeError,
  UnauthorizedError,
  ValidationError,
} from './errors/errors.js';
export type { WireError } from './errors/wire.js';
export {
  errorFromWire,
  errorToWire,
  registerWireError,
  toError,
  type WireErrorRebuild,
} from './errors/wire.js';
export { validationErrorFromZod } from './errors/zodIssues.js';
export type { Logger, LogLevel } from './logger.js';
export { createLogger } from './logger.js';
export type { AgentAddress } from './messages/address.js';
export { AgentAddressSchema, formatAddress, isValidKey, isValidName } from './messages/address.js';
export { copyValue, deepFreeze, MAX_COPY_DEPTH } from './messages/copy.js';
export type { MessageDef, MessageOptions, PayloadOf } from './messages/defineMessage.js';
export { defineMessage } from './messages/defineMessage.js';
export type { Envelope, Message } from './messages/envelope.js';
export { EnvelopeSchema } from './messages/envelope.js';
export { newId } from './messages/id.js';
export type {
  ProgressEvent,
  ProgressEventOf,
  ProgressInput,
  ProgressKind,
  RunPhase,
} from './progress/events.js';
export { isTerminalKind, ProgressEventSchema, RUN_PHASES } from './progress/events.js';
export type { FailureStatus, OutcomeEvent, TerminalStatus } from './progress/outcome.js';
export {
  completedEvent,
  errorPreview,
  failureEvent,
  isTerminalStatus,
  outcomeEvent,
  PREVIEW_MAX_CHARS,
  resultPreview,
  statusOfError,
  TERMINAL_STATUSES,
} from './progress/outcome.js';
export { initialProgress, MAX_LOGS, MAX_TOOL_CALLS, reduceProgress } from './progress/reduceProgress.js';
export type { SuspendTaskOptions } from './progress/suspend.js';
export { answerSchemaOf, SUSPENSIONS_AGENT, SuspendRequest, suspendTask } from './progress/suspend.js';
export type {
  ArtifactRecord,
  LogRecord,
  PendingQuestion,
  RunProgressStatus,
  SubTaskProgress,
  TaskProgress,
  TaskStatus,
  ToolCallRecord,
} from './progress/taskProgress.js';
export type { TrackProgressOptions } from './progress/trackProgress.js';
export { trackProgress } from './progress/trackProgress.js';
export type { RegisterOptions } from './runtime/AgentHost.js';
export { asCancellation } from './runtime/AskControl.js';
export { Deadlines, type Timed } from './runtime/Deadlines.js';
export { LazyAbort } from './runtime/LazyAbort.js';
export type { CloseOptions, RuntimeOptions } from './runtime/Runtime.js';
export { createRuntime, Runtime } from './runtime/Runtime.js';
export { checkSignal, isAbortSignal, onAbort } from './runtime/signals.js';
export { checkTimeout, longTimeout, MAX_TIMER_MS } from './runtime/timeouts.js';
export {
  carriedTrace,
  endSpan,
  markSpanFailed,
  startQueueSpan,
  TRACER_NAME,
  type TraceFields,
  tracingOn,
} from './runtime/tracing.js';
export type { FileStoreOptions } from './store/FileStore.js';
export { FileStore } from './store/FileStore.js';
export { MemoryStore } from './store/MemoryStore.js';
export type {
  EventPage,
  EventQuery,
  RunPage,
  RunQuery,
  RunRecord,
  RunRepository,
  RunStatus,
  StoredEvent,
} from './store/RunRepository.js';
export { eventLimit, FINISHED_STATUSES, RUN_STATUSES, runLimit } from './store/RunRepository.js';
export type { Store } from './store/Store.js';
export type { InProcessTransportOptions } from './transport/InProcessTransport.js';
export { InProcessBus, InProcessTransport } from './transport/InProcessTransport.js';
export type { DeliveryOptions, RequestOptions, Transport, TransportHost } from './transport/Transport.js';
export { ZOD_VERSION_ERROR, ZodVersionError } from './zodVersion.js';
