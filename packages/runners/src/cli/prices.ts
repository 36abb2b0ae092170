import type { Usage } from '../types.js';

/** USD per million tokens of one model. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Input tokens served from the prompt cache. */
  cachedInput: number;
  /** Output tokens (reasoning included). */
  output: number;
}

/**
 * Default prices (USD per 1M tokens) for models Codex runs, from OpenAI's public price list when
 * this package was written; pass your own table to `CodexRunner` when they change. Keys match a
 * model name exactly, or as a prefix (`gpt-5-codex` matches `gpt-5-codex-2025…`).
 */
export const DEFAULT_CODEX_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'codex-mini-latest': { input: 1.5, cachedInput: 0.375, output: 6 },
};

/** The price of `model`: an exact key, else the longest key it starts with. */
export function priceOf(model: string, table: Readonly<Record<string, ModelPrice>>): ModelPrice | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** Cost in USD of `usage` at `price` (`inputTokens` excludes cached ones). */
export function costOf(usage: Usage, price: ModelPrice): number {
  const dollars =
    usage.inputTokens * price.input +
    (usage.cachedInputTokens ?? 0) * price.cachedInput +
    usage.outputTokens * price.output;
  return dollars / 1_000_000;
}
