import type { Msg } from '@nats-io/transport-node';
import {
  type Envelope,
  EnvelopeSchema,
  PayloadTooLargeError,
  type TroupeError,
  ValidationError,
  validationErrorFromZod,
} from '@troupe/core';
import { Header } from './headers.js';
import { isPlainEnvelope } from './plainEnvelope.js';
import { ReceivedHeaders } from './ReceivedHeaders.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** What the subscription a message came in on says about it. */
export interface Expectation {
  /** The agent type the subscription serves. */
  type: string;
  /** The instance key named by the subject (keyed subscriptions), or undefined ("any instance"). */
  key: string | undefined;
  /** Messages larger than this are refused. */
  maxPayload: number;
  /** The message's headers, when the subscription read them already. */
  headers?: ReceivedHeaders;
}

/** An incoming message, validated: the envelope and how to treat it. */
export interface Inbound {
  envelope: Envelope;
  /** A tell: acknowledge acceptance, do not send a result. */
  tell: boolean;
  hops: number;
}

/**
 * Reads and validates a message addressed to an agent. Returns the typed
 * error to answer with when it is not a well-formed envelope for this
 * subscription. The envelope's `deadline` is `arrived` (this clock, ms since
 * the epoch) plus the `timeout` header; a `deadline` in the body is ignored.
 */
export function readInbound(msg: Msg, expect: Expectation, arrived = Date.now()): Inbound | TroupeError {
  const data = msg.data;
  if (data.length > expect.maxPayload) {
    return new PayloadTooLargeError(
      `message of ${data.length} bytes exceeds the maximum of ${expect.maxPayload}`,
      { data: { size: data.length, max: expect.maxPayload } },
    );
  }
  let h: ReceivedHeaders;
  try {
    h = expect.headers ?? ReceivedHeaders.of(msg);
  } catch {
    return invalid('headers', 'unreadable headers');
  }
  const type = h.get(Header.type);
  if (!type) return invalid(`headers.${Header.type}`, 'missing header');
  const id = h.get(Header.id);
  if (!id) return invalid(`headers.${Header.id}`, 'missing header');
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch {
    return invalid('', 'body is not valid UTF-8 JSON');
  }
  let envelope: Envelope;
  if (isPlainEnvelope(body)) envelope = body;
  else {
    const parsed = EnvelopeSchema.safeParse(body);
    if (!parsed.success) return validationErrorFromZod(parsed.error, '', 'envelope');
    envelope = parsed.data as Envelope;
  }
  if (envelope.to.type !== expect.type) {
    return invalid('to.type', `message for '${envelope.to.type}' arrived on a subject of '${expect.type}'`);
  }
  if (envelope.to.key !== expect.key) {
    return invalid('to.key', `envelope key (${envelope.to.key ?? 'none'}) does not match the subject`);
  }
  const mismatch =
    differs(type, envelope.type, Header.type) ??
    differs(id, envelope.id, Header.id) ??
    differs(h.get(Header.runId), envelope.runId, Header.runId) ??
    differs(h.get(Header.key), envelope.to.key, Header.key) ??
    differs(h.get(Header.traceparent), envelope.traceparent, Header.traceparent) ??
    differs(h.get(Header.tracestate), envelope.tracestate, Header.tracestate);
  if (mismatch) return mismatch;
  // The deadline is the time left when sent, rebased on this clock (the sender's clock may differ).
  delete envelope.deadline;
  const timeout = h.get(Header.timeout);
  if (timeout !== undefined) {
    const ms = Number(timeout);
    if (timeout === '' || !Number.isFinite(ms) || ms < 0) {
      return invalid(`headers.${Header.timeout}`, `'${timeout}' is not a number of milliseconds`);
    }
    envelope.deadline = arrived + ms;
  }
  const hops = Number(h.get(Header.hops) ?? 0);
  return { envelope, tell: h.get(Header.tell) === '1', hops: Number.isFinite(hops) ? hops : 0 };
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`invalid message: ${path || 'body'}: ${message}`, {
    issues: [{ path, message }],
  });
}

function differs(header: string | undefined, body: string | undefined, name: string): ValidationError | null {
  if (header === body) return null;
  return invalid(
    `headers.${name}`,
    `header '${name}' (${header ?? 'absent'}) does not match the envelope (${body ?? 'absent'})`,
  );
}
