/** Workflow modules for `troupe run ./workflow.ts`: their context and a typing helper. */

/** The CLI's errors, each with a stable code and its exit code. */
export {
  CliError,
  CliErrorCode,
  RunBusyError,
  UnknownRunError,
  UsageError,
  WorkflowModuleError,
} from './errors.js';
export { EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exitCodes.js';
export type { CliIo } from './io.js';
/** The command line as a function, and its exit codes. */
export { runCli } from './main.js';
export { defineWorkflow, type Workflow, type WorkflowContext } from './workflow/types.js';
