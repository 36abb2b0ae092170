import type { JsMsg } from '@nats-io/jetstream';
import type { Msg, MsgHdrs } from '@nats-io/transport-node';

const decoder = new TextDecoder();
const STATUS_LINE = 'NATS/1.0';
const NONE: readonly string[] = [];
/** `\r\n<name>:` for each name looked up, which starts that header's line in a block. */
const needles = new Map<string, string>();

/**
 * The headers of a received message: what nats.js `msg.headers` would answer for exact-name
 * lookups, without building its `MsgHdrs` (a `Map`, and a copy of every name per lookup): the
 * block is decoded to one string, checked once, and each lookup searches it. A status line (`NATS/1.0 503`), a header name nats.js refuses, or a message that is
 * not nats.js's own are read through `msg.headers` instead, so they fail or decode exactly as
 * they do there.
 */
export class ReceivedHeaders {
  /** The decoded header block, when read from the wire (else undefined, and `#pairs` holds them). */
  readonly #text: string | undefined;
  /** Names and values, alternating, in the order received. */
  readonly #pairs: readonly string[];
  /** The status code (`503` for no responders), 0 when none. */
  readonly code: number;
  /** The status description, `''` when none. */
  readonly description: string;

  /** Use {@link ReceivedHeaders.of} or {@link ReceivedHeaders.from}. */
  constructor(pairs: readonly string[] | string, code: number, description: string) {
    this.#text = typeof pairs === 'string' ? pairs : undefined;
    this.#pairs = typeof pairs === 'string' ? NONE : pairs;
    this.code = code;
    this.description = description;
  }

  /**
   * The headers of `msg`.
   * @throws what nats.js `msg.headers` throws for a malformed header block.
   */
  static of(msg: Msg): ReceivedHeaders {
    const raw = rawHeaderBytes(msg);
    if (raw === null) return EMPTY;
    if (raw !== undefined) {
      const text = decoder.decode(raw);
      if (plainBlock(text)) return new ReceivedHeaders(text, 0, '');
    }
    return ReceivedHeaders.from(msg.headers);
  }

  /**
   * The headers of a JetStream message, read through nats.js 3's core message (`JsMsgImpl.msg`,
   * not in its public type) when it is there, else through its public `headers`.
   * @throws what nats.js `msg.headers` throws for a malformed header block.
   */
  static ofJs(msg: JsMsg): ReceivedHeaders {
    const core = (msg as unknown as { msg?: Msg }).msg;
    return typeof core === 'object' && core !== null
      ? ReceivedHeaders.of(core)
      : ReceivedHeaders.from(msg.headers);
  }

  /** The headers of a nats.js `MsgHdrs` (or none). */
  static from(h: MsgHdrs | undefined): ReceivedHeaders {
    if (!h) return EMPTY;
    const pairs: string[] = [];
    for (const [name, values] of h) if (values.length > 0) pairs.push(name, values[0] as string);
    return new ReceivedHeaders(pairs, h.code, h.description);
  }

  /** Whether the status is an error (300 or more), as nats.js `MsgHdrs.hasError`. */
  get hasError(): boolean {
    return this.code >= 300;
  }

  /** The first value of header `name` (exact name), or `undefined` when it is absent. */
  get(name: string): string | undefined {
    const text = this.#text;
    if (text !== undefined) return search(text, name);
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
    return undefined;
  }
}

const EMPTY = new ReceivedHeaders(NONE, 0, '');

/**
 * The header bytes of a message nats.js received (null: it has none), or undefined when `msg` is
 * not shaped like nats.js 3's `MsgImpl` (`_msg.hdr` is the header length, `_rdata` headers then data).
 */
function rawHeaderBytes(msg: Msg): Uint8Array | null | undefined {
  const m = msg as unknown as { _msg?: { hdr?: unknown }; _rdata?: unknown };
  const hdr = m._msg?.hdr;
  if (typeof hdr !== 'number') return undefined;
  if (hdr < 0) return null;
  const data = m._rdata;
  return data instanceof Uint8Array && data.length >= hdr ? data.subarray(0, hdr) : undefined;
}

/**
 * Whether nats.js would read `text` as plain headers, as `MsgHdrsImpl.decode` does (lines split on
 * CRLF, a name is what precedes a line's first colon): false when nats.js must decide, for a
 * status line, a name it refuses (a character outside `!`..`~`) or a lone CR or LF in a line.
 */
function plainBlock(text: string): boolean {
  let end = text.indexOf('\r\n');
  if ((end < 0 ? text.length : end) !== STATUS_LINE.length || !text.startsWith(STATUS_LINE)) return false;
  while (end >= 0) {
    const start = end + 2;
    end = text.indexOf('\r\n', start);
    // A lone CR or LF inside a line: nats.js refuses such a value, so it decides.
    const lineEnd = end < 0 ? text.length : end;
    const cr = text.indexOf('\r', start);
    const lf = text.indexOf('\n', start);
    if ((cr >= 0 && cr < lineEnd) || (lf >= 0 && lf < lineEnd)) return false;
    const colon = text.indexOf(':', start);
    if (colon < 0 || (end >= 0 && colon >= end)) continue;
    for (let i = start; i < colon; i++) {
      const c = text.charCodeAt(i);
      if (c < 33 || c > 126) return false;
    }
  }
  return true;
}

/** The first value of `name` in a plain block (its line's text after the colon, trimmed). */
function search(text: string, name: string): string | undefined {
  // A name with a colon or a line break is never a header's name.
  if (name.includes(':') || name.includes('\n') || name.includes('\r')) return undefined;
  let needle = needles.get(name);
  if (needle === undefined) {
    needle = `\r\n${name}:`;
    if (needles.size < 256) needles.set(name, needle);
  }
  const at = text.indexOf(needle);
  if (at < 0) return undefined;
  const from = at + needle.length;
  const end = text.indexOf('\r\n', from);
  return text.slice(from, end < 0 ? text.length : end).trim();
}
