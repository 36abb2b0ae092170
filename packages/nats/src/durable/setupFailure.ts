import type { NatsConnection } from '@nats-io/transport-node';
import { ClosedError, TransportError, type TroupeError } from '@troupe/core';
import { isConnectionClosed, natsFailure } from '../natsErrors.js';

/**
 * The error of a durable dispatcher's or worker's JetStream setup: `ClosedError` when the
 * connection is closed (or draining), `UnauthorizedError` when the server refused a step (account
 * permissions), else `TransportError` asking whether the server is reachable with JetStream on.
 * Each names the setup step and keeps nats.js's error as its cause.
 */
export function setupFailure(
  err: unknown,
  who: 'dispatcher' | 'worker',
  namespace: string,
  nc: NatsConnection,
): TroupeError {
  const step = `the durable ${who}'s JetStream setup in namespace '${namespace}'`;
  if (nc.isClosed() || isConnectionClosed(err)) {
    return new ClosedError(`${step} failed: the NATS connection is closed`, { cause: err });
  }
  const failure = natsFailure(err, step);
  if (failure instanceof TransportError && failure.cause === err) {
    return new TransportError(`${failure.message} (is nats-server reachable, with JetStream enabled?)`, {
      cause: err,
    });
  }
  return failure;
}
