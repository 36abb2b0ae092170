import {
  errorFromWire,
  errorToWire,
  PayloadTooLargeError,
  TransportError,
  type TroupeError,
  ValidationError,
  type WireError,
} from '@troupe/core';
import { headers, type Msg, type MsgHdrs } from 'nats';
import { Header, headerOf } from './headers.js';

const decoder = new TextDecoder();

/** The body of every Troupe reply. */
export type ReplyBody = { ok: true; value?: unknown } | { ok: false; error: WireError };

/** An encoded reply: its bytes and headers. */
export interface EncodedReply {
  data: Uint8Array;
  headers: MsgHdrs;
}

/**
 * Encodes a successful reply. A value that is not JSON-serializable, or too
 * large for the connection, becomes an error reply instead.
 */
export function okReply(value: unknown, maxPayload: number, owner?: string): EncodedReply {
  let json: string;
  try {
    json = JSON.stringify({ ok: true, value });
  } catch (err) {
    return errorReply(
      new ValidationError('reply value is not JSON-serializable', {
        cause: err,
        issues: [{ path: 'reply', message: 'not JSON-serializable' }],
      }),
      owner,
    );
  }
  const data = Buffer.from(json);
  if (data.length > maxPayload) {
    return errorReply(
      new PayloadTooLargeError(`reply of ${data.length} bytes exceeds the maximum of ${maxPayload}`, {
        data: { size: data.length, max: maxPayload },
      }),
      owner,
    );
  }
  return { data, headers: replyHeaders('ok', owner) };
}

/** Encodes an error reply (the error and its cause chain, as {@link WireError}). */
export function errorReply(error: unknown, owner?: string): EncodedReply {
  const wire = errorToWire(error);
  let json: string;
  try {
    json = JSON.stringify({ ok: false, error: wire } satisfies ReplyBody);
  } catch {
    // Error data that cannot be serialized (a cycle, a BigInt): send the error without it.
    json = JSON.stringify({ ok: false, error: { code: wire.code, name: wire.name, message: wire.message } });
  }
  return { data: Buffer.from(json), headers: replyHeaders('error', owner) };
}

// Reply headers never change for a given outcome and owner, and nats.js only reads them: build each once.
const shared = new Map<string, MsgHdrs>();

function replyHeaders(kind: 'ok' | 'error', owner: string | undefined): MsgHdrs {
  const slot = owner === undefined ? kind : `${kind} ${owner}`;
  let h = shared.get(slot);
  if (!h) {
    if (shared.size > 1_000) shared.clear();
    h = headers();
    h.set(Header.reply, kind);
    if (owner !== undefined) h.set(Header.owner, owner);
    shared.set(slot, h);
  }
  return h;
}

/** Decodes a reply: resolves to the value, or returns the rebuilt remote error (to throw). */
export function readReply(msg: Msg): { value: unknown } | { error: TroupeError } {
  const kind = headerOf(msg.headers, Header.reply);
  if (kind !== 'ok' && kind !== 'error') {
    return { error: new TransportError('reply is not a Troupe reply (no troupe-reply header)') };
  }
  let body: ReplyBody;
  try {
    body = JSON.parse(decoder.decode(msg.data)) as ReplyBody;
  } catch (err) {
    return { error: new TransportError('reply body is not valid JSON', { cause: err }) };
  }
  if (body?.ok === true) return { value: body.value };
  if (body?.ok === false && typeof body.error?.code === 'string') {
    try {
      return { error: errorFromWire(body.error) };
    } catch (err) {
      return { error: new TransportError('reply error could not be rebuilt', { cause: err }) };
    }
  }
  return { error: new TransportError('reply body is neither { ok: true } nor { ok: false, error }') };
}
