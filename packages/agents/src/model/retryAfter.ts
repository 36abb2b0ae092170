/**
 * The wait a server asks for, ms: `retry-after-ms` (OpenAI's, fractional ms)
 * first, then `retry-after` as seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when neither is present or parseable; never negative. No upper
 * cap: a caller's deadline bounds the wait, not this parser.
 */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value)) return Math.max(0, value);
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
