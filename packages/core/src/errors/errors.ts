/** Stable string codes carried by every Troupe error, on this process and over the wire. */
export const ErrorCode = {
  Timeout: 'TIMEOUT',
  Cancelled: 'CANCELLED',
  Validation: 'VALIDATION',
  NoResponders: 'NO_RESPONDERS',
  AgentFailed: 'AGENT_FAILED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  Cycle: 'CYCLE',
  Unauthorized: 'UNAUTHORIZED',
  Handler: 'HANDLER_ERROR',
  Closed: 'CLOSED',
  Transport: 'TRANSPORT',
  Deadlock: 'DEADLOCK',
} as const;

/** One of the stable error codes in {@link ErrorCode}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options accepted by every Troupe error. */
export interface TroupeErrorOptions extends ErrorOptions {
  /** Extra structured detail that travels with the error (JSON-safe). */
  data?: Record<string, unknown>;
  /** Whether retrying the same operation may succeed. */
  retryable?: boolean;
}

/** Base class of every error Troupe throws; `code` is stable, `name` is the class name. */
export class TroupeError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** Structured detail (JSON-safe). */
  readonly data: Record<string, unknown> | undefined;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: TroupeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = options.data;
    this.retryable = options.retryable ?? false;
  }
}

/** A wait ran past its timeout or deadline. */
export class TimeoutError extends TroupeError {
  constructor(message = 'timed out', options: TroupeErrorOptions = {}) {
    super(ErrorCode.Timeout, message, { retryable: true, ...options });
  }
}

/** An operation was cancelled through its AbortSignal or a cancel call. */
export class CancelledError extends TroupeError {
  constructor(message = 'cancelled', options: TroupeErrorOptions = {}) {
    super(ErrorCode.Cancelled, message, options);
  }
}

/** One problem found while validating input: where it is and what is wrong. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `payload.items.2.name`. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/** Input failed validation; `issues` name each offending field path. */
export class ValidationError extends TroupeError {
  /** Every problem found, each with a field path. */
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, options: TroupeErrorOptions & { issues?: ValidationIssue[] } = {}) {
    const issues = options.issues ?? [];
    super(ErrorCode.Validation, message, { ...options, data: { ...options.data, issues } });
    this.issues = issues;
  }

  /** The path of the first issue, or `''` when none is known. */
  get path(): string {
    return this.issues[0]?.path ?? '';
  }
}

/** Nobody serves the addressed agent type. */
export class NoRespondersError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.NoResponders, message, { retryable: true, ...options });
  }
}

/** The agent crashed more often than its supervision allows and was marked failed. */
export class AgentFailedError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.AgentFailed, message, options);
  }
}

/** A payload exceeds the transport's maximum size. */
export class PayloadTooLargeError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.PayloadTooLarge, message, options);
  }
}

/** A dependency graph has a cycle. */
export class CycleError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.Cycle, message, options);
  }
}

/** Credentials were missing or refused. */
export class UnauthorizedError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.Unauthorized, message, options);
  }
}

/** The runtime or transport is closed (or closing) and takes no new work. */
export class ClosedError extends TroupeError {
  constructor(message = 'closed', options: TroupeErrorOptions = {}) {
    super(ErrorCode.Closed, message, options);
  }
}

/** A transport-level failure (connection lost, server error) that is not one of the above. */
export class TransportError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.Transport, message, { retryable: true, ...options });
  }
}

/**
 * An ask would wait for an instance that is itself waiting on this ask: `ctx.ask(ctx.self, …)`, a
 * cycle such as A/k → B/k → A/k, or an un-keyed ask whose every pool member is on the chain. It
 * fails at once instead of waiting out the timeout; `data.chain` lists the instances (`type/key`)
 * waiting on each other, the target last, and the message names them.
 */
export class DeadlockError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ErrorCode.Deadlock, message, options);
  }
}

/**
 * A handler threw something that is not a Troupe error. `code` is the thrown
 * error's own string `code` when it had one, else `HANDLER_ERROR`; `cause` keeps the original.
 */
export class HandlerError extends TroupeError {}

/**
 * Thrown by a handler to crash its instance ("let it crash"): the asker gets
 * this error, and the supervisor restarts the instance from its initial state.
 */
export class CrashError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super('CRASHED', message, options);
  }
}
