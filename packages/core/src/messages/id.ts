import { randomBytes } from 'node:crypto';

const HEX3: string[] = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let lastMs = -1;
let counter = 0;
let prefix = '';
let tail = '';
let seq = 0;

function newTail(): void {
  // 62 random bits per process (re-drawn when the 14-bit sequence wraps) keep ids from
  // different processes apart; the sequence keeps ids from this one apart.
  const r = randomBytes(8);
  r[0] = ((r[0] as number) & 0x3f) | 0x80;
  const hex = r.toString('hex');
  tail = hex.slice(4);
  seq = ((r[0] as number) << 8) | (r[1] as number);
}

/**
 * A new UUIDv7 (RFC 9562): 48-bit millisecond time, a 12-bit counter that
 * keeps ids of the same millisecond in order, then the variant, a 14-bit
 * sequence and 48 random bits drawn per process. Ids sort by creation time
 * within a process and are unique across processes.
 */
export function newId(): string {
  return newIdAt(Date.now());
}

/** @internal {@link newId} for a caller that has just read the clock (`now`, ms since the epoch). */
export function newIdAt(now: number): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
    const t = now.toString(16).padStart(12, '0');
    prefix = `${t.slice(0, 8)}-${t.slice(8)}-7`;
  } else if (++counter > 0xfff) {
    // 4096 ids in one millisecond: borrow the next millisecond to stay monotonic
    lastMs++;
    counter = 0;
    const t = lastMs.toString(16).padStart(12, '0');
    prefix = `${t.slice(0, 8)}-${t.slice(8)}-7`;
  }
  if (tail === '' || (++seq & 0x3fff) === 0) newTail();
  const s = 0x8000 | (seq & 0x3fff);
  return `${prefix}${HEX3[counter]}-${HEX2[s >> 8]}${HEX2[s & 0xff]}-${tail}`;
}
