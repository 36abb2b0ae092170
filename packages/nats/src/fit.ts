import type { MsgHdrs } from '@nats-io/transport-node';
import type { WireError } from '@troupe/core';

/** Bytes kept of an oversized error message (its code and name always travel). */
export const ERROR_MESSAGE_PREFIX = 4_096;

/** Bytes headers take on the wire (`NATS/1.0\r\n`, `k: v\r\n` each, `\r\n`). */
export function headersSize(h: MsgHdrs | undefined): number {
  if (!h) return 0;
  let size = 12;
  for (const [k, values] of h) {
    for (const v of values) size += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  }
  return size;
}

/**
 * A copy of `wire` small enough to send in `budget` bytes of JSON: its code, name and
 * `retryable` are kept, the message is cut to a prefix (at most {@link ERROR_MESSAGE_PREFIX}
 * bytes, marked `… [truncated, N bytes]`), `data` and `cause` are dropped and
 * `data.truncated` records the original message size. An error always arrives typed.
 */
export function truncateWireError(wire: WireError, budget: number): WireError {
  const size = Buffer.byteLength(wire.message);
  const keep = Math.max(0, Math.min(ERROR_MESSAGE_PREFIX, budget - 512, size));
  const message = keep >= size ? wire.message : `${cutUtf8(wire.message, keep)}… [truncated, ${size} bytes]`;
  const out: WireError = { code: wire.code, name: wire.name, message, data: { truncated: size } };
  if (wire.retryable !== undefined) out.retryable = wire.retryable;
  return out;
}

/** The longest prefix of `text` that is at most `bytes` UTF-8 bytes (never splits a character). */
export function cutUtf8(text: string, bytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= bytes) return text;
  let end = bytes;
  // Back up over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}
