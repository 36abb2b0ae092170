/**
 * Store keys are `/`-paths; JetStream KV keys are `.`-separated subject tokens of `[-/=.\w]`
 * (nats.js's rule) that must not be empty. Mapping: each `/` segment becomes one token in which
 * `[A-Za-z0-9_-]` stay as they are and every other byte of the UTF-8 text becomes `=XX`
 * (lower-case hex; `=` itself is escaped, so the mapping is injective); an empty segment is the
 * lone token `=`. Tokens are joined with `.`. Example: `runs/r:1/a.b` ↔ `runs.r=3a1.a=2eb`.
 * Keeping segments as tokens is what lets `keys(prefix)` filter on the server (`runs.r=3a1.>`).
 */

const PLAIN = /^[A-Za-z0-9_-]+$/;
const PLAIN_CHAR = /[A-Za-z0-9_-]/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function encodeSegment(segment: string): string {
  if (segment === '') return '=';
  if (PLAIN.test(segment)) return segment;
  let out = '';
  for (const ch of segment) {
    if (PLAIN_CHAR.test(ch)) out += ch;
    else for (const byte of encoder.encode(ch)) out += `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function decodeSegment(token: string): string {
  if (token === '=') return '';
  if (!token.includes('=')) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    if (token[i] === '=') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i += 1;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** The KV key a store key is kept under (see the module comment for the mapping). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeSegment).join('.');
}

/** The store key a KV key was made from; the inverse of {@link encodeKey}. */
export function decodeKey(kvKey: string): string {
  return kvKey.split('.').map(decodeSegment).join('/');
}

/**
 * The narrowest KV filter that covers every key starting with `prefix`: its complete segments
 * followed by `>`. The caller still checks `startsWith`, since the last segment may be partial.
 */
export function prefixFilter(prefix: string): string {
  const complete = prefix.split('/').slice(0, -1);
  return complete.length === 0 ? '>' : `${complete.map(encodeSegment).join('.')}.>`;
}
