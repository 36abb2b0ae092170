/** Text helpers shared by the views: durations, counts, bars. */

/** `850ms`, `12.3s`, `4m05s`, `2h03m`; `–` for undefined. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`;
}

/** `950`, `12.3k`, `4.1M` tokens. */
export function count(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `$0.0123`; empty for 0. */
export function usd(n: number): string {
  return n > 0 ? `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}` : '';
}

/** A bar of `width` cells, `percent` (0–100) of them full. */
export function bar(percent: number, width: number): string {
  const full = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/** `text` cut to `width` characters (with an ellipsis), or padded to it. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
}

/** `text` cut to `width` characters, not padded. */
export function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Local wall-clock time `HH:MM:SS` of `ts` (ms since the epoch). */
export function clock(ts: number): string {
  return new Date(ts).toTimeString().slice(0, 8);
}
