import {
  AuthorizationError,
  ClosedConnectionError,
  DrainingConnectionError,
  InvalidArgumentError,
  type MsgHdrs,
  NoRespondersError as NatsNoRespondersError,
  TimeoutError as NatsTimeoutError,
  PermissionViolationError,
  RequestError,
  UserAuthenticationExpiredError,
} from '@nats-io/transport-node';
import {
  ClosedError,
  NoRespondersError,
  PayloadTooLargeError,
  TimeoutError,
  TransportError,
  TroupeError,
  UnauthorizedError,
} from '@troupe/core';

/**
 * What a nats.js 3 error means: a request wraps every failure but a timeout in a `RequestError`
 * whose `cause` is the error itself (a permission violation, a closed connection, …); unwrapped.
 */
function reasonOf(err: unknown): unknown {
  return err instanceof RequestError && err.cause instanceof Error ? err.cause : err;
}

/** Whether `err` is nats.js saying nobody subscribes to the subject (a request's 503). */
export function isNoResponders(err: unknown): boolean {
  return err instanceof NatsNoRespondersError || (err instanceof RequestError && err.isNoResponders());
}

/** Whether `err` is nats.js giving up on a request that got no reply in time. */
export function isNatsTimeout(err: unknown): boolean {
  return err instanceof NatsTimeoutError;
}

/** Whether `err` is nats.js refusing a message larger than the server's `max_payload`. */
export function isMaxPayloadExceeded(err: unknown): boolean {
  const reason = reasonOf(err);
  return reason instanceof InvalidArgumentError && reason.message.includes('max_payload');
}

/** Whether `err` is nats.js refusing work on a connection that is closed or draining. */
export function isConnectionClosed(err: unknown): boolean {
  const reason = reasonOf(err);
  return reason instanceof ClosedConnectionError || reason instanceof DrainingConnectionError;
}

/** Whether `err` means the server refused the credentials. */
export function isAuthError(err: unknown): boolean {
  const reason = reasonOf(err);
  if (reason instanceof AuthorizationError || reason instanceof UserAuthenticationExpiredError) return true;
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
  return reasonOf(err) instanceof PermissionViolationError;
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
  if (isNoResponders(err)) {
    return new NoRespondersError(`no agent ${ctx.target} in namespace '${ctx.namespace}'`, {
      cause: err,
      data: { target: ctx.target, namespace: ctx.namespace },
    });
  }
  if (isNatsTimeout(err)) {
    return new TimeoutError(`request to ${ctx.target} timed out after ${ctx.timeout} ms`, {
      cause: err,
      data: { target: ctx.target, timeout: ctx.timeout },
    });
  }
  if (isMaxPayloadExceeded(err)) {
    return new PayloadTooLargeError(`message to ${ctx.target} exceeds the server's max payload`, {
      cause: err,
    });
  }
  if (isConnectionClosed(err)) return new ClosedError('NATS connection is closed', { cause: err });
  if (isAuthError(err) || isPermissionError(err)) {
    return new UnauthorizedError(`NATS refused the request to ${ctx.target}`, { cause: err });
  }
  return new TransportError(
    `request to ${ctx.target} failed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}

/**
 * A status reply without data (as the server sends for a request nobody answers) as the nats.js
 * error the request would have failed with: no responders for 503, else a `RequestError`.
 */
export function statusError(h: MsgHdrs, subject: string): Error {
  if (h.code === 503) return new NatsNoRespondersError(subject);
  return new RequestError(`${h.code} ${h.description}`);
}
