import { type Envelope, isValidKey, isValidName } from '@troupe/core';

/** Longest value of each optional string field of `EnvelopeSchema`. */
const OPTIONAL_STRINGS: Readonly<Record<string, number>> = {
  replyTo: 512,
  correlationId: 128,
  runId: 128,
  taskId: 128,
  parentId: 128,
  traceparent: 256,
  tracestate: 512,
};

/**
 * Whether `body` (fresh from `JSON.parse`) is an envelope that `EnvelopeSchema` accepts and
 * returns unchanged: only its own fields, each of the right type and size. Such a body is used
 * as is, without zod copying it; anything else (`attempt`, an unknown field, a bad value) is left
 * to `EnvelopeSchema`, which then decides and names what is wrong, exactly as before.
 */
export function isPlainEnvelope(body: unknown): body is Envelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const e = body as Record<string, unknown>;
  let fields = 0;
  for (const name in e) {
    fields++;
    const value = e[name];
    switch (name) {
      case 'v':
        if (value !== 1) return false;
        break;
      case 'id':
        if (!sized(value, 1, 128)) return false;
        break;
      case 'type':
        if (!sized(value, 1, 256)) return false;
        break;
      case 'to':
      case 'from':
        if (!isAddress(value)) return false;
        break;
      case 'ts':
      case 'deadline':
        if (typeof value !== 'number' || !Number.isFinite(value)) return false;
        break;
      case 'chain':
        if (!isChain(value)) return false;
        break;
      case 'payload':
        break;
      default: {
        const max = OPTIONAL_STRINGS[name];
        if (max === undefined || !Object.hasOwn(OPTIONAL_STRINGS, name) || !sized(value, 0, max))
          return false;
      }
    }
  }
  // The required fields (and payload, which zod would otherwise leave out) are all there.
  return fields >= 5 && 'v' in e && 'id' in e && 'type' in e && 'to' in e && 'ts' in e && 'payload' in e;
}

function sized(value: unknown, min: number, max: number): boolean {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function isAddress(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  for (const name in a) {
    if (name === 'type') {
      if (typeof a.type !== 'string' || !isValidName(a.type)) return false;
    } else if (name === 'key') {
      if (typeof a.key !== 'string' || !isValidKey(a.key)) return false;
    } else return false;
  }
  return 'type' in a;
}

function isChain(value: unknown): boolean {
  if (!Array.isArray(value) || value.length > 256) return false;
  for (const link of value) if (!sized(link, 1, 1024)) return false;
  return true;
}
