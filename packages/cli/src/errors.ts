import { TroupeError, type TroupeErrorOptions } from '@troupe/core';
import { ExitCode, type ExitCodeValue } from './exitCodes.js';

/** Stable codes of the CLI's own errors. */
export const CliErrorCode = {
  Usage: 'CLI_USAGE',
  UnknownRun: 'CLI_UNKNOWN_RUN',
  RunBusy: 'CLI_RUN_BUSY',
  Workflow: 'CLI_WORKFLOW',
} as const;

/** An error of the `troupe` command itself, with the exit code it ends the process with. */
export class CliError extends TroupeError {
  /** The process's exit code when this error ends a command. */
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, exitCode: ExitCodeValue, options: TroupeErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: an unknown flag, a bad value, a missing argument. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(CliErrorCode.Usage, message, ExitCode.Usage, options);
  }
}

/** No run with this id in the store. Exit 5. */
export class UnknownRunError extends CliError {
  /** The id asked for. */
  readonly runId: string;

  constructor(runId: string, storeDir: string) {
    super(
      CliErrorCode.UnknownRun,
      `no run '${runId}' in ${storeDir} (list the runs with: troupe ls --store ${storeDir}; \`pnpm demo\` keeps its runs in .troupe/demo)`,
      ExitCode.UnknownRun,
      {
        data: { runId, storeDir },
      },
    );
    this.runId = runId;
  }
}

/** Another live process holds the run (its lock names the pid). Exit 6. */
export class RunBusyError extends CliError {
  constructor(runId: string, pid: number) {
    super(
      CliErrorCode.RunBusy,
      `run '${runId}' is being run by process ${pid}; watch it with: troupe watch ${runId}`,
      ExitCode.RunBusy,
      { data: { runId, pid } },
    );
  }
}

/** A workflow module cannot be loaded, or exports nothing runnable. Exit 2. */
export class WorkflowModuleError extends CliError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(CliErrorCode.Workflow, message, ExitCode.Usage, options);
  }
}
