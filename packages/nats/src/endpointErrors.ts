import { type Envelope, TimeoutError, TransportError } from '@troupe/core';
import type { Fence } from './RemoteDelivery.js';

/** The answer to a message whose deadline passed. */
export function expiredError(envelope: Envelope): TimeoutError {
  return new TimeoutError(`'${envelope.type}' passed its deadline`, {
    data: { type: envelope.type, deadline: envelope.deadline },
  });
}

/** The answer to a keyed message whose key moved while this worker was unreachable. */
export function lostError(fence: Fence): TransportError {
  return new TransportError(
    `${fence.type}/${fence.key} moved to another worker while this one was unreachable; ask again`,
    { data: { type: fence.type, key: fence.key }, retryable: true },
  );
}
