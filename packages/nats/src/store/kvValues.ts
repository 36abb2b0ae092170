/**
 * How a store value sits in a KV entry: JSON text, or — for values too large for one message —
 * `@` followed by the JSON of an {@link ObjectRef}. JSON text never starts with `@`, so the two
 * cannot be confused and inline values carry no wrapper.
 */

const REF_MARK = 0x40; // '@'
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Where a large value lives in the Object Store. */
export interface ObjectRef {
  /** Object name (unique per write, so a reader never sees a half-replaced object). */
  name: string;
  /** Size of the JSON text, bytes. */
  size: number;
}

/** A KV entry's payload, decoded. */
export type StoredValue = { kind: 'inline'; json: string } | { kind: 'ref'; ref: ObjectRef };

/** JSON text of a value (`undefined` is stored as `null`, like the other stores). */
export function toJsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? null));
}

/** The KV payload that points at an object. */
export function refBytes(ref: ObjectRef): Uint8Array {
  return encoder.encode(`@${JSON.stringify(ref)}`);
}

/** Reads a KV payload written by {@link toJsonBytes} or {@link refBytes}. */
export function readStored(bytes: Uint8Array): StoredValue {
  if (bytes[0] === REF_MARK) {
    return { kind: 'ref', ref: JSON.parse(decoder.decode(bytes.subarray(1))) as ObjectRef };
  }
  return { kind: 'inline', json: decoder.decode(bytes) };
}

/** Parses JSON bytes from the Object Store or an inline entry. */
export function parseJson<T>(bytes: Uint8Array | string): T {
  return JSON.parse(typeof bytes === 'string' ? bytes : decoder.decode(bytes)) as T;
}
