import {
  AgentFailedError,
  CancelledError,
  ClosedError,
  CycleError,
  DeadlockError,
  ErrorCode,
  HandlerError,
  NoRespondersError,
  PayloadTooLargeError,
  TimeoutError,
  TransportError,
  TroupeError,
  type TroupeErrorOptions,
  UnauthorizedError,
  ValidationError,
  type ValidationIssue,
} from './errors.js';

/** The JSON shape of an error as it crosses a process boundary. */
export interface WireError {
  code: string;
  name: string;
  message: string;
  data?: Record<string, unknown>;
  retryable?: boolean;
  cause?: WireError;
}

type Ctor = new (message: string, options?: TroupeErrorOptions) => TroupeError;
const byCode: Record<string, Ctor> = {
  [ErrorCode.Timeout]: TimeoutError,
  [ErrorCode.Cancelled]: CancelledError,
  [ErrorCode.NoResponders]: NoRespondersError,
  [ErrorCode.AgentFailed]: AgentFailedError,
  [ErrorCode.PayloadTooLarge]: PayloadTooLargeError,
  [ErrorCode.Cycle]: CycleError,
  [ErrorCode.Unauthorized]: UnauthorizedError,
  [ErrorCode.Closed]: ClosedError,
  [ErrorCode.Transport]: TransportError,
  [ErrorCode.Deadlock]: DeadlockError,
};

/** Turns any thrown value into an `Error` (strings and objects included). */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}

/**
 * What an asker receives when a handler threw `thrown`: Troupe errors pass
 * through unchanged; anything else becomes a {@link HandlerError} keeping the
 * thrown error's message, its string `code` (if any) and the error as `cause`.
 */
export function toHandlerError(thrown: unknown, where: string): TroupeError {
  if (thrown instanceof TroupeError) return thrown;
  const err = toError(thrown);
  const code = (err as { code?: unknown }).code;
  return new HandlerError(typeof code === 'string' ? code : ErrorCode.Handler, err.message, {
    cause: err,
    data: { agent: where },
  });
}

/** Serializes an error (and its cause chain, up to 4 deep) for the wire. */
export function errorToWire(error: unknown, depth = 0): WireError {
  const err = toError(error);
  const code = (err as { code?: unknown }).code;
  const wire: WireError = {
    code: typeof code === 'string' ? code : ErrorCode.Handler,
    name: err.name,
    message: err.message,
  };
  if (err instanceof TroupeError) {
    if (err.data !== undefined) wire.data = err.data;
    wire.retryable = err.retryable;
  }
  if (err.cause !== undefined && depth < 4) wire.cause = errorToWire(err.cause, depth + 1);
  return wire;
}

/** Rebuilds a typed error from its wire form: known codes get their class back. */
export function errorFromWire(wire: WireError): TroupeError {
  const cause = wire.cause ? errorFromWire(wire.cause) : undefined;
  const options: TroupeErrorOptions = {};
  if (cause !== undefined) options.cause = cause;
  if (wire.data !== undefined) options.data = wire.data;
  if (wire.retryable !== undefined) options.retryable = wire.retryable;
  if (wire.code === ErrorCode.Validation) {
    const issues = (wire.data?.issues as ValidationIssue[] | undefined) ?? [];
    return new ValidationError(wire.message, { ...options, issues });
  }
  const Known = byCode[wire.code];
  if (Known) return new Known(wire.message, options);
  const rebuild = registered.get(wire.code);
  if (rebuild) {
    try {
      return rebuild(wire, options);
    } catch {
      // A rebuild that cannot read this wire form: the error still arrives, as a HandlerError.
    }
  }
  const err = new HandlerError(wire.code, wire.message, options);
  if (wire.name && wire.name !== 'Error') err.name = wire.name;
  return err;
}

/** Rebuilds one error class from its wire form (see {@link registerWireError}). */
export type WireErrorRebuild = (wire: WireError, options: TroupeErrorOptions) => TroupeError;

const registered = new Map<string, WireErrorRebuild>();

/**
 * Makes `errorFromWire` give back the class of an error code defined outside core (a package's
 * own `TroupeError` subclass), so a handler's error is the same class in process and over NATS.
 * `rebuild` gets the wire form and the options already read from it (`cause`, `data`,
 * `retryable`); if it throws, the error arrives as a `HandlerError` with the same code.
 * Registering a code again replaces its rebuild.
 * @throws ValidationError when `code` is one of core's own codes.
 * @example
 * registerWireError('PLAN_INVALID', (wire, options) => new PlanError(wire.message, { ...options, issues: [], attempts: 0 }));
 */
export function registerWireError(code: string, rebuild: WireErrorRebuild): void {
  if (byCode[code] !== undefined || code === ErrorCode.Validation || code === ErrorCode.Handler) {
    throw new ValidationError(`'${code}' is a core error code; register your own code`, {
      issues: [{ path: 'code', message: 'a core error code' }],
    });
  }
  registered.set(code, rebuild);
}
