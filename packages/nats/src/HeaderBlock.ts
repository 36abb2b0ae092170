import { headers, type Match, type MsgHdrs, MsgHdrsImpl } from '@nats-io/transport-node';

const NO_PAIRS: readonly string[] = [];

/**
 * Headers encoded once, byte for byte as nats.js encodes a `MsgHdrs` (`NATS/1.0`, then
 * `\r\nname: value` per header, then `\r\n\r\n`), so publishing them costs no header object, no
 * per-field validation and no re-encoding (a cached block is sent as is, every time). nats.js only
 * calls `encode()` to publish; anything that reads or changes the block works on a `MsgHdrs`
 * decoded on first use.
 */
export class HeaderBlock implements MsgHdrs {
  /** Names and values, alternating. */
  readonly #pairs: readonly string[];
  /** The encoded text, when the block was made from it. */
  #text: string | undefined;
  #bytes: Uint8Array | undefined;
  #hdrs: MsgHdrs | undefined;

  /**
   * Headers from alternating names and values. A value nats.js would change or refuse (one with
   * CR or LF, or surrounding white space) makes the block a plain nats.js `MsgHdrs` at once, so it
   * is trimmed or refused exactly as nats.js does (it throws `InvalidArgumentError` for CR/LF).
   */
  constructor(pairs: readonly string[]) {
    this.#pairs = pairs;
    for (let i = 1; i < pairs.length; i += 2) {
      if (!isPlainHeaderValue(pairs[i] as string)) {
        this.#open();
        break;
      }
    }
  }

  /**
   * A block from its encoded text (`NATS/1.0\r\nname: value…\r\n\r\n`), every value of which
   * nats.js would send unchanged (see {@link isPlainHeaderValue}).
   */
  static fromText(text: string): HeaderBlock {
    const block = new HeaderBlock(NO_PAIRS);
    block.#text = text;
    return block;
  }

  /** The encoded block, as nats.js `MsgHdrsImpl.encode()` returns it (it calls this to publish). */
  encode(): Uint8Array {
    if (this.#hdrs) return (this.#hdrs as MsgHdrs & { encode(): Uint8Array }).encode();
    if (!this.#bytes) {
      let text = this.#text;
      if (text === undefined) {
        const pairs = this.#pairs;
        text = 'NATS/1.0';
        for (let i = 0; i < pairs.length; i += 2) text += `\r\n${pairs[i]}: ${pairs[i + 1]}`;
        text += '\r\n\r\n';
      }
      this.#bytes = Buffer.from(text);
    }
    return this.#bytes;
  }

  /** Bytes the block takes on the wire. */
  get byteLength(): number {
    return this.encode().length;
  }

  get hasError(): boolean {
    return this.#open().hasError;
  }
  get status(): string {
    return this.#open().status;
  }
  get code(): number {
    return this.#open().code;
  }
  get description(): string {
    return this.#open().description;
  }
  get(k: string, match?: Match): string {
    return this.#open().get(k, match);
  }
  set(k: string, v: string, match?: Match): void {
    this.#open().set(k, v, match);
  }
  append(k: string, v: string, match?: Match): void {
    this.#open().append(k, v, match);
  }
  has(k: string, match?: Match): boolean {
    return this.#open().has(k, match);
  }
  keys(): string[] {
    return this.#open().keys();
  }
  values(k: string, match?: Match): string[] {
    return this.#open().values(k, match);
  }
  delete(k: string, match?: Match): void {
    this.#open().delete(k, match);
  }
  last(k: string, match?: Match): string {
    return this.#open().last(k, match);
  }
  [Symbol.iterator](): Iterator<[string, string[]]> {
    return this.#open()[Symbol.iterator]();
  }

  #open(): MsgHdrs {
    if (!this.#hdrs && this.#text !== undefined) {
      this.#hdrs = MsgHdrsImpl.decode(this.encode());
      this.#text = undefined;
      this.#bytes = undefined;
    } else if (!this.#hdrs) {
      const h = headers();
      const pairs = this.#pairs;
      for (let i = 0; i < pairs.length; i += 2) h.append(pairs[i] as string, pairs[i + 1] as string);
      this.#hdrs = h;
      this.#bytes = undefined;
    }
    return this.#hdrs;
  }
}

/** Whether nats.js would send `value` unchanged (no CR/LF, nothing for `trim()` to remove). */
export function isPlainHeaderValue(value: string): boolean {
  return value.indexOf('\r') < 0 && value.indexOf('\n') < 0 && value.trim() === value;
}
