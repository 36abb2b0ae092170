import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../src/index.js';

function collect(maxLineBytes?: number) {
  const lines: Array<{ text: string; truncated: boolean }> = [];
  const decoder = new LineDecoder({
    maxLineBytes,
    onLine: (text, truncated) => lines.push({ text, truncated }),
  });
  return { decoder, lines };
}

describe('LineDecoder', () => {
  it('should join a line that arrives across many reads', () => {
    const { decoder, lines } = collect();
    const text = 'x'.repeat(200 * 1024);
    const bytes = Buffer.from(`${text}\nnext\n`);
    for (let i = 0; i < bytes.length; i += 65_536) decoder.write(bytes.subarray(i, i + 65_536));
    expect(lines.map((l) => l.text)).toEqual([text, 'next']);
  });

  it('should decode a multi-byte character split between two reads at every offset', () => {
    const text = 'é中🙂 and é中🙂';
    const bytes = Buffer.from(`${text}\n`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { decoder, lines } = collect();
      decoder.write(bytes.subarray(0, cut));
      decoder.write(bytes.subarray(cut));
      expect(lines).toEqual([{ text, truncated: false }]);
    }
  });

  it('should deliver a 200 KiB multi-byte line byte-exact when read one odd-sized chunk at a time', () => {
    const text = 'ascii é 中文 🙂 '.repeat(12_000);
    const bytes = Buffer.from(`${text}\n`);
    const { decoder, lines } = collect();
    for (let i = 0; i < bytes.length; i += 4093) decoder.write(bytes.subarray(i, i + 4093));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.text).toBe(text);
  });

  it('should cut a line at the cap, drop the rest up to its newline, and keep the next line', () => {
    const { decoder, lines } = collect(10);
    decoder.write(Buffer.from('0123456789abcdef'));
    decoder.write(Buffer.from('ghij\nshort\n'));
    expect(lines).toEqual([
      { text: '0123456789', truncated: true },
      { text: 'short', truncated: false },
    ]);
  });

  it('should not emit half a character when the cap falls inside one', () => {
    const { decoder, lines } = collect(4);
    decoder.write(Buffer.from('abc中def\n'));
    expect(lines).toEqual([{ text: 'abc', truncated: true }]);
  });

  it('should strip a trailing carriage return (terminal line endings)', () => {
    const { decoder, lines } = collect();
    decoder.write(Buffer.from('one\r\ntwo\r\n\r\n'));
    expect(lines.map((l) => l.text)).toEqual(['one', 'two', '']);
  });

  it('should emit a last line without a newline on end, and nothing for an empty stream', () => {
    const { decoder, lines } = collect();
    decoder.write(Buffer.from('a\nlast'));
    decoder.end();
    expect(lines.map((l) => l.text)).toEqual(['a', 'last']);
    const empty = collect();
    empty.decoder.end();
    expect(empty.lines).toEqual([]);
  });
});
