/**
 * The exit codes of `troupe`, one per outcome a script may want to tell apart. They are part of the
 * CLI's interface: documented in the README and `troupe --help`, never renumbered.
 */
export const ExitCode = {
  /** The command did what it was asked; a run completed. */
  Ok: 0,
  /** A run failed or timed out, or an unexpected error. */
  Failed: 1,
  /** Bad command line: an unknown flag, a bad value, a missing argument, a workflow module with nothing to run. */
  Usage: 2,
  /** A named model provider has no API key (`MissingApiKeyError`: the variable is named). */
  MissingApiKey: 3,
  /** The NATS server is unreachable or refused the credentials. */
  NatsUnavailable: 4,
  /** No run with that id in the store. */
  UnknownRun: 5,
  /** The run is being run by another live process. */
  RunBusy: 6,
  /** The run stopped because its token or USD budget ran out (a partial report is printed). */
  BudgetExhausted: 7,
  /** The run was cancelled (`troupe cancel`). */
  Cancelled: 8,
  /** Interrupted by Ctrl-C: the run stopped cleanly and can be resumed. */
  Interrupted: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as `troupe --help` prints it. */
export const EXIT_CODES_HELP = `Exit codes:
  0    ok; the run completed
  1    the run failed or timed out, or an unexpected error
  2    bad command line (unknown flag, bad value, missing argument, nothing runnable in a workflow module)
  3    a named model provider has no API key (e.g. --model openai:gpt-4.1-mini without OPENAI_API_KEY)
  4    the NATS server is unreachable or refused the credentials
  5    no run with that id in the store
  6    the run is being run by another live process
  7    the run's token or USD budget ran out (partial report printed)
  8    the run was cancelled (troupe cancel)
  130  interrupted by Ctrl-C; the run stopped cleanly: resume it with troupe run --resume <runId>`;
