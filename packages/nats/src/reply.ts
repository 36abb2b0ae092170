import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import {
  errorFromWire,
  errorToWire,
  type Logger,
  PayloadTooLargeError,
  TransportError,
  type TroupeError,
  ValidationError,
  type WireError,
} from '@troupe/core';
import { truncateWireError } from './fit.js';
import { HeaderBlock } from './HeaderBlock.js';
import { Header } from './headers.js';
import { isMaxPayloadExceeded } from './natsErrors.js';
import { ReceivedHeaders } from './ReceivedHeaders.js';

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
 * large for the connection once its headers are counted, becomes an error
 * reply instead (`PayloadTooLargeError`).
 */
export function okReply(value: unknown, maxPayload: number, owner?: string): EncodedReply {
  let json: string;
  try {
    // As JSON.stringify({ ok: true, value }), without the wrapper object.
    const encoded: string | undefined = JSON.stringify(value);
    json = encoded === undefined ? OK_EMPTY : `${OK_PREFIX}${encoded}}`;
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
  const h = replyHeaders('ok', owner);
  const size = data.length + h.byteLength;
  if (size > maxPayload) {
    return errorReply(
      new PayloadTooLargeError(`reply of ${size} bytes exceeds the maximum of ${maxPayload}`, {
        data: { size, max: maxPayload },
      }),
      owner,
      maxPayload,
    );
  }
  return { data, headers: h };
}

/**
 * Encodes an error reply (the error and its cause chain, as {@link WireError}). When the whole
 * message (headers included) would exceed `maxPayload` bytes, the error is cut down to its code,
 * name and a message prefix ({@link truncateWireError}), so it always arrives typed.
 */
export function errorReply(
  error: unknown,
  owner?: string,
  maxPayload = Number.POSITIVE_INFINITY,
): EncodedReply {
  const wire = errorToWire(error);
  const h = replyHeaders('error', owner);
  let json: string;
  try {
    json = JSON.stringify({ ok: false, error: wire } satisfies ReplyBody);
  } catch {
    // Error data that cannot be serialized (a cycle, a BigInt): send the error without it.
    json = JSON.stringify({ ok: false, error: { code: wire.code, name: wire.name, message: wire.message } });
  }
  let data = Buffer.from(json);
  const room = maxPayload - h.byteLength;
  if (data.length > room) {
    data = Buffer.from(JSON.stringify({ ok: false, error: truncateWireError(wire, room - 64) }));
  }
  return { data, headers: h };
}

const OK_EMPTY = '{"ok":true}';
const OK_PREFIX = '{"ok":true,"value":';

// Reply headers never change for a given outcome and owner: each is encoded once, and sent as is.
const shared = new Map<string, HeaderBlock>();
const sharedOk = new HeaderBlock([Header.reply, 'ok']);
const sharedError = new HeaderBlock([Header.reply, 'error']);

function replyHeaders(kind: 'ok' | 'error', owner: string | undefined): HeaderBlock {
  if (owner === undefined) return kind === 'ok' ? sharedOk : sharedError;
  const slot = `${kind} ${owner}`;
  let h = shared.get(slot);
  if (!h) {
    if (shared.size > 1_000) shared.clear();
    h = new HeaderBlock([Header.reply, kind, Header.owner, owner]);
    shared.set(slot, h);
  }
  return h;
}

/**
 * Sends `reply` to the asker of `msg`; returns whether it went out. A reply nats.js refuses as too
 * large (the server's limit may be lower than we knew) is answered with `PayloadTooLargeError`
 * instead; other failures (a closed connection) are logged at debug and left to the asker's timeout.
 */
export function respond(msg: Msg, reply: EncodedReply, logger: Logger): boolean {
  try {
    return msg.respond(reply.data, { headers: reply.headers });
  } catch (err) {
    logger.debug(`could not reply on ${msg.reply}`, { error: (err as Error).message });
    if (!isMaxPayloadExceeded(err)) return false;
    const size = reply.data.length;
    const tooLarge = new PayloadTooLargeError(`reply of ${size} bytes exceeds the server's maximum`, {
      data: { size },
    });
    try {
      const small = errorReply(tooLarge);
      return msg.respond(small.data, { headers: small.headers });
    } catch {
      // The connection is closed: the asker's own timeout covers it.
      return false;
    }
  }
}

/**
 * Decodes a reply: resolves to the value, or returns the rebuilt remote error (to throw).
 * `headers` are the reply's, when the caller read them already.
 */
export function readReply(
  msg: Msg,
  headers: ReceivedHeaders = ReceivedHeaders.of(msg),
): { value: unknown } | { error: TroupeError } {
  const kind = headers.get(Header.reply);
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
