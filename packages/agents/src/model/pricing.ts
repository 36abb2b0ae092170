import type { Usage } from './types.js';

/** Prices of one model in USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Price of a cached prompt token (default: `input`). */
  cacheRead?: number;
  /** Price of a prompt token written to the cache (default: `input`). */
  cacheWrite?: number;
}

/** Prices by model id; a key also matches ids it prefixes (`gpt-4.1-mini` covers `gpt-4.1-mini-2025-04-14`). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The price of `model` in `table`: an exact key, else the longest key that prefixes it. */
export function priceOf(table: PriceTable | undefined, model: string): ModelPrice | undefined {
  if (!table) return undefined;
  const exact = table[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** USD cost of `usage` at `price`; cache reads and writes at their own prices. */
export function costOf(usage: Usage, price: ModelPrice): number {
  const read = usage.cacheReadTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  const plain = Math.max(0, usage.inputTokens - read - write);
  const usd =
    plain * price.input +
    read * (price.cacheRead ?? price.input) +
    write * (price.cacheWrite ?? price.input) +
    usage.outputTokens * price.output;
  return usd / 1_000_000;
}
