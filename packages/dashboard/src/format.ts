/** ms → `1h 02m`, `3m 05s`, `12s`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** How long ago a time (ms since the epoch) was: `5s ago`. */
export function age(at: number, now: number): string {
  return `${duration(Math.max(0, now - at))} ago`;
}

/** USD: `$0.0123`, `$1.25`. */
export function usd(amount: number | undefined): string {
  if (amount === undefined || amount === 0) return '$0';
  return amount < 1 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}

/** Tokens: `950`, `12.3k`, `1.2M`. */
export function count(n: number | undefined): string {
  if (n === undefined) return '–';
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Bytes: `512 B`, `3.4 KB`. */
export function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Statuses after which nothing changes. */
export const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);
