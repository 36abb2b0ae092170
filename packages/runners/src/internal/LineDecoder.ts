import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this many bytes are cut (the rest of the line is dropped), by default: 4 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Options of {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** Bytes kept of one line; the rest up to its newline is dropped and the line marked truncated. */
  maxLineBytes?: number | undefined;
  /** Called once per complete line, without its `\n` (and without a trailing `\r`). */
  onLine: (text: string, truncated: boolean) => void;
}

/**
 * Splits a byte stream into UTF-8 lines. Reads may cut a line (or a multi-byte character)
 * anywhere: bytes are fed through a streaming UTF-8 decoder per line, so a line spread over
 * many reads comes out whole and a character split between two reads is decoded once. `\n`
 * is never part of a multi-byte UTF-8 sequence, so splitting on the byte is safe.
 */
export class LineDecoder {
  readonly #max: number;
  readonly #onLine: (text: string, truncated: boolean) => void;
  #decoder = new StringDecoder('utf8');
  #parts: string[] = [];
  #bytes = 0;
  #truncated = false;
  #any = false;

  constructor(options: LineDecoderOptions) {
    this.#max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#onLine = options.onLine;
  }

  /** Feeds one chunk of bytes. */
  write(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      if (end > start) this.#append(chunk.subarray(start, end));
      if (nl === -1) return;
      this.#emit();
      start = nl + 1;
    }
  }

  /** Emits the last line if the stream did not end with a newline. */
  end(): void {
    if (this.#any) this.#emit();
  }

  #append(bytes: Uint8Array): void {
    this.#any = true;
    if (this.#truncated) return;
    const room = this.#max - this.#bytes;
    if (bytes.length > room) {
      // Keep what fits; an incomplete character at the cut stays inside the decoder and is dropped.
      if (room > 0) this.#parts.push(this.#decoder.write(bytes.subarray(0, room)));
      this.#bytes = this.#max;
      this.#truncated = true;
      return;
    }
    this.#bytes += bytes.length;
    this.#parts.push(this.#decoder.write(bytes));
  }

  #emit(): void {
    const truncated = this.#truncated;
    if (!truncated) this.#parts.push(this.#decoder.end());
    let text = this.#parts.length === 1 ? (this.#parts[0] as string) : this.#parts.join('');
    if (!truncated && text.endsWith('\r')) text = text.slice(0, -1);
    this.#parts = [];
    this.#bytes = 0;
    this.#truncated = false;
    this.#any = false;
    this.#decoder = new StringDecoder('utf8');
    this.#onLine(text, truncated);
  }
}
