import {
  type Envelope,
  formatAddress,
  isValidKey,
  isValidName,
  PayloadTooLargeError,
  type TroupeError,
  ValidationError,
} from '@troupe/core';
import { type HeaderBlock, isPlainHeaderValue } from './HeaderBlock.js';
import { envelopeHeaders } from './headers.js';

/** An envelope ready to publish: its JSON body and routing headers. */
export interface Outbound {
  data: Uint8Array;
  headers: HeaderBlock;
  /** When the `timeout` header's time left was measured, ms since the epoch. */
  at: number;
}

/**
 * Checks and encodes an envelope for sending: the address must be valid, the payload
 * JSON-serializable, and body plus headers no larger than `maxPayload` bytes. Returns the typed
 * error otherwise (`ValidationError` naming the field, `PayloadTooLargeError`). Fields that
 * travel as headers (`type`, `id`, `runId`, `traceparent`, `tracestate`) must hold no CR or LF
 * and no leading or trailing whitespace, which a NATS header cannot carry unchanged.
 */
export function encodeOutbound(
  envelope: Envelope,
  tell: boolean,
  maxPayload: number,
): Outbound | TroupeError {
  const { type, key } = envelope.to;
  if (!isValidName(type)) return invalid('to.type', `invalid agent type '${type}'`);
  if (key !== undefined && !isValidKey(key)) return invalid('to.key', `invalid key '${key}'`);
  const unfit = unfitHeaderField(envelope);
  if (unfit !== undefined) {
    return invalid(
      unfit,
      `'${unfit}' cannot travel as a NATS header: no CR, LF or leading/trailing whitespace`,
    );
  }
  let data: Uint8Array;
  try {
    // Buffer.from is about twice as fast as TextEncoder for messages this size.
    // The deadline travels as time left (the `timeout` header), never as this clock's reading.
    data = Buffer.from(bodyJson(envelope));
  } catch (err) {
    return invalid('payload', `not JSON-serializable: ${(err as Error).message}`);
  }
  const at = Date.now();
  const headers = envelopeHeaders(envelope, tell, at);
  if (data.length + 1024 > maxPayload) {
    const size = data.length + headers.byteLength;
    if (size > maxPayload) {
      return new PayloadTooLargeError(
        `'${envelope.type}' to ${formatAddress(envelope.to)} is ${size} bytes; the maximum is ${maxPayload}`,
        { data: { size, max: maxPayload, type: envelope.type } },
      );
    }
  }
  return { data, headers, at };
}

/** The first header-borne field whose value a NATS header cannot carry unchanged. */
function unfitHeaderField(envelope: Envelope): string | undefined {
  for (const field of ['type', 'id', 'runId', 'traceparent', 'tracestate'] as const) {
    const value = envelope[field];
    if (value !== undefined && (typeof value !== 'string' || !isPlainHeaderValue(value))) return field;
  }
  return undefined;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(message, { issues: [{ path, message }] });
}

/** The envelope as JSON, without its `deadline`. */
function bodyJson(envelope: Envelope): string {
  const deadline = envelope.deadline;
  if (deadline === undefined) return JSON.stringify(envelope);
  if (Object.isFrozen(envelope)) {
    const { deadline: _, ...body } = envelope;
    return JSON.stringify(body);
  }
  // Left out without copying the envelope: JSON skips a field that is undefined.
  envelope.deadline = undefined as unknown as number;
  try {
    return JSON.stringify(envelope);
  } finally {
    envelope.deadline = deadline;
  }
}
