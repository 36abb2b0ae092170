import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const pool = new Uint8Array(8 * 1024);
let poolAt = pool.length;
let lastMs = -1;
let counter = 0;

function randomBytes(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

/**
 * A new UUIDv7 (RFC 9562): 48-bit millisecond time, then a 12-bit counter
 * that keeps ids made in the same millisecond in order, then random bits.
 * Ids sort by creation time within a process and are unique across processes.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = randomBytes(1)[0] as number; // random start leaves room to count up
  } else {
    counter++;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond to stay monotonic
      lastMs++;
      counter = 0;
    }
    ms = lastMs;
  }
  const r = randomBytes(8);
  const t = ms.toString(16).padStart(12, '0');
  const c = (0x7000 | counter).toString(16);
  const variant = HEX[((r[0] as number) & 0x3f) | 0x80] as string;
  return `${t.slice(0, 8)}-${t.slice(8)}-${c}-${variant}${HEX[r[1] as number]}-${HEX[r[2] as number]}${HEX[r[3] as number]}${HEX[r[4] as number]}${HEX[r[5] as number]}${HEX[r[6] as number]}${HEX[r[7] as number]}`;
}
