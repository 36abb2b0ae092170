import { TroupeError, type TroupeErrorOptions } from '@troupe/core';

/** Stable codes of the errors this package throws (besides core's). */
export const RunnerErrorCode = {
  SessionNotFound: 'RUNNER_SESSION_NOT_FOUND',
  SessionLost: 'RUNNER_SESSION_LOST',
  StartFailed: 'RUNNER_START_FAILED',
  RunFailed: 'RUNNER_RUN_FAILED',
  Protocol: 'RUNNER_PROTOCOL',
  GatewayRequest: 'RUNNER_GATEWAY_REQUEST',
  Tmux: 'RUNNER_TMUX',
} as const;

/** No session with that id is known to the runner, its store, or tmux. */
export class SessionNotFoundError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.SessionNotFound, message, options);
  }
}

/** The session's program is gone and how it ended cannot be known (e.g. killed outside the runner). */
export class SessionLostError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.SessionLost, message, options);
  }
}

/** The program could not be started (missing executable, bad cwd, tmux refused, gateway refused). */
export class RunnerStartError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.StartFailed, message, options);
  }
}

/** A session ended `failed`; `data` holds its exit code and the program's own error code. */
export class RunnerFailedError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.RunFailed, message, options);
  }
}

/** A gateway answered with something its protocol does not allow (bad frame, unexpected reply). */
export class ProtocolError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.Protocol, message, options);
  }
}

/** A tmux command failed (its stderr is in the message). */
export class TmuxError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.Tmux, message, options);
  }
}

/** A gateway answered a request with an error; `data.code` is the gateway's own code. */
export class GatewayRequestError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(RunnerErrorCode.GatewayRequest, message, options);
  }
}
