import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { Envelope } from '@troupe/core';
import { HeaderBlock, isPlainHeaderValue } from './HeaderBlock.js';

/**
 * NATS header names. Routing fields travel as headers so a receiver can
 * route, refuse or cancel without parsing a body.
 */
export const Header = {
  /** Message type (`envelope.type`). */
  type: 'type',
  /** Envelope id. */
  id: 'id',
  /** Run id (absent when the envelope has none). */
  runId: 'runId',
  /** W3C trace context: the sender's span. */
  traceparent: 'traceparent',
  /** W3C trace context: vendor trace state, with `traceparent`. */
  tracestate: 'tracestate',
  /**
   * Time left to answer, ms, when the message was sent (as gRPC's `grpc-timeout`). The receiver
   * rebases it on its own clock on arrival: two machines' clocks are never compared.
   */
  timeout: 'timeout',
  /** Instance key (absent for "any instance"). */
  key: 'key',
  /** `1` on a tell: the receiver acknowledges acceptance at once instead of replying with a result. */
  tell: 'tell',
  /** How many times a worker forwarded this message to the owner of its key. */
  hops: 'hops',
  /**
   * `1` on a locate request (empty body, on a keyed subject): the worker owning the key answers
   * with an empty ok reply naming itself in `owner`, so the asker can send everything for the key
   * straight there, in order.
   */
  locate: 'locate',
  /** On replies: `ok` or `error` (marks a Troupe reply, as opposed to a server status). */
  reply: 'troupe-reply',
  /** On replies to keyed messages: the worker that owns the instance, so askers can go there directly. */
  owner: 'owner',
} as const;

/**
 * The headers that travel with an envelope, encoded once; its deadline travels as the time left
 * at `now`. Throws nats.js `InvalidArgumentError` for a value with CR or LF (as `MsgHdrs` does).
 */
export function envelopeHeaders(envelope: Envelope, tell: boolean, now = Date.now()): HeaderBlock {
  const { type, id, runId, traceparent, tracestate, deadline } = envelope;
  const key = envelope.to.key;
  // Written straight to text: the usual envelope has nothing nats.js would trim or refuse.
  let text = `NATS/1.0\r\n${Header.type}: ${type}\r\n${Header.id}: ${id}`;
  let plain = isPlainHeaderValue(type) && isPlainHeaderValue(id);
  if (runId !== undefined) {
    text += `\r\n${Header.runId}: ${runId}`;
    plain &&= isPlainHeaderValue(runId);
  }
  if (traceparent !== undefined) {
    text += `\r\n${Header.traceparent}: ${traceparent}`;
    plain &&= isPlainHeaderValue(traceparent);
  }
  if (tracestate !== undefined) {
    text += `\r\n${Header.tracestate}: ${tracestate}`;
    plain &&= isPlainHeaderValue(tracestate);
  }
  if (deadline !== undefined) text += `\r\n${Header.timeout}: ${timeLeft(deadline, now)}`;
  if (key !== undefined) {
    text += `\r\n${Header.key}: ${key}`;
    plain &&= isPlainHeaderValue(key);
  }
  if (tell) text += `\r\n${Header.tell}: 1`;
  return plain ? HeaderBlock.fromText(`${text}\r\n\r\n`) : new HeaderBlock(headerPairs(envelope, tell, now));
}

/** The envelope's headers as names and values (for a {@link HeaderBlock} that trims or refuses). */
function headerPairs(envelope: Envelope, tell: boolean, now: number): string[] {
  const pairs: string[] = [Header.type, envelope.type, Header.id, envelope.id];
  if (envelope.runId !== undefined) pairs.push(Header.runId, envelope.runId);
  if (envelope.traceparent !== undefined) pairs.push(Header.traceparent, envelope.traceparent);
  if (envelope.tracestate !== undefined) pairs.push(Header.tracestate, envelope.tracestate);
  if (envelope.deadline !== undefined) pairs.push(Header.timeout, timeLeft(envelope.deadline, now));
  if (envelope.to.key !== undefined) pairs.push(Header.key, envelope.to.key);
  if (tell) pairs.push(Header.tell, '1');
  return pairs;
}

/** A header's value, or `undefined` when it is absent. */
export function headerOf(h: MsgHdrs | undefined, name: string): string | undefined {
  if (!h?.has(name)) return undefined;
  return h.get(name);
}

/** A copy of `h` with `name` set (headers of a received message are not ours to change). */
export function withHeader(h: MsgHdrs | undefined, name: string, value: string): MsgHdrs {
  const out = headers();
  if (h) for (const [k, values] of h) for (const v of values) out.append(k, v);
  out.set(name, value);
  return out;
}

/** The `timeout` header's value for `deadline` (ms since the epoch, on this clock) at `now`. */
export function timeLeft(deadline: number, now = Date.now()): string {
  return String(Math.max(0, Math.ceil(deadline - now)));
}
