import {
  ClosedError,
  NoRespondersError,
  PayloadTooLargeError,
  TimeoutError,
  TransportError,
  TroupeError,
  UnauthorizedError,
} from '@troupe/core';
import { ErrorCode, NatsError } from 'nats';

const AUTH_CODES: ReadonlySet<string> = new Set([
  ErrorCode.AuthorizationViolation,
  ErrorCode.AuthenticationExpired,
  ErrorCode.AuthenticationTimeout,
  ErrorCode.AccountExpired,
  ErrorCode.BadAuthentication,
  ErrorCode.BadCreds,
]);

/** The nats.js error code of `err`, if it is a NATS error. */
export function natsCode(err: unknown): string | undefined {
  if (err instanceof NatsError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` means the server refused the credentials. */
export function isAuthError(err: unknown): boolean {
  const code = natsCode(err);
  if (code !== undefined && AUTH_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message.toLowerCase() : '';
  return message.includes('authorization violation') || message.includes('authentication');
}

/** What a connection attempt's failure means to a Troupe caller. */
export function connectError(err: unknown, servers: string): TroupeError {
  const message = err instanceof Error ? err.message : String(err);
  if (isAuthError(err)) {
    return new UnauthorizedError(`NATS at ${servers} refused the credentials: ${message}`, {
      cause: err,
      data: { servers },
    });
  }
  return new TransportError(`could not connect to NATS at ${servers}: ${message}`, {
    cause: err,
    data: { servers },
  });
}

/** Whether `err` is the server refusing a publish or a subscription (account permissions). */
export function isPermissionError(err: unknown): boolean {
  return natsCode(err) === ErrorCode.PermissionsViolation;
}

/** The error for a subscription the server refused or dropped. */
export function subscriptionError(err: unknown, subject: string): TroupeError {
  if (isPermissionError(err) || isAuthError(err)) {
    return new UnauthorizedError(`NATS refused the subscription to ${subject}: replies cannot arrive`, {
      cause: err,
      data: { subject },
    });
  }
  return new TransportError(`the subscription to ${subject} failed: ${messageOf(err)}`, { cause: err });
}

/** The error for a publish the server refused (account permissions). */
export function publishDenied(subject: string, cause?: unknown): UnauthorizedError {
  return new UnauthorizedError(`NATS refused the publish to ${subject} (permissions)`, {
    cause,
    data: { subject },
  });
}

/** Pending requests once the connection is gone: `ClosedError` when we closed it, else `TransportError`. */
export function closedError(closing: boolean): TroupeError {
  return closing ? new ClosedError('transport closed') : new TransportError('NATS connection closed');
}

/**
 * Any failure of a NATS operation as a typed Troupe error: Troupe errors pass through, refusals
 * become `UnauthorizedError`, the rest `TransportError` naming `what` failed.
 */
export function natsFailure(err: unknown, what: string): TroupeError {
  if (err instanceof TroupeError) return err;
  if (isPermissionError(err) || isAuthError(err)) {
    return new UnauthorizedError(`NATS refused ${what}: ${messageOf(err)}`, { cause: err });
  }
  return new TransportError(`${what} failed: ${messageOf(err)}`, { cause: err });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Context for {@link requestError}. */
export interface RequestErrorContext {
  /** What was addressed, for the message (`type` or `type/key`). */
  target: string;
  namespace: string;
  timeout: number;
}

/** A failed nats.js request as a typed Troupe error. */
export function requestError(err: unknown, ctx: RequestErrorContext): TroupeError {
  const code = natsCode(err);
  switch (code) {
    case ErrorCode.NoResponders:
      return new NoRespondersError(`no agent ${ctx.target} in namespace '${ctx.namespace}'`, {
        cause: err,
        data: { target: ctx.target, namespace: ctx.namespace },
      });
    case ErrorCode.Timeout:
      return new TimeoutError(`request to ${ctx.target} timed out after ${ctx.timeout} ms`, {
        cause: err,
        data: { target: ctx.target, timeout: ctx.timeout },
      });
    case ErrorCode.MaxPayloadExceeded:
      return new PayloadTooLargeError(`message to ${ctx.target} exceeds the server's max payload`, {
        cause: err,
      });
    case ErrorCode.ConnectionClosed:
    case ErrorCode.ConnectionDraining:
      return new ClosedError('NATS connection is closed', { cause: err });
    default:
      if (isAuthError(err) || code === ErrorCode.PermissionsViolation) {
        return new UnauthorizedError(`NATS refused the request to ${ctx.target}`, { cause: err });
      }
      return new TransportError(
        `request to ${ctx.target} failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
  }
}
