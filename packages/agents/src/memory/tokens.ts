import type { ChatMessage } from '../model/types.js';

/** Counts the tokens of a text; the default estimates one per four characters. */
export type TokenCounter = (text: string) => number;

/** About one token per four characters of English text (a bound, not a tokenizer). */
export const estimateTokens: TokenCounter = (text) => Math.ceil(text.length / 4);

/** Tokens of one message: its text, its tool calls' names and arguments, plus 4 for framing. */
export function messageTokens(message: ChatMessage, count: TokenCounter = estimateTokens): number {
  let text = message.content;
  if (message.role === 'assistant') {
    for (const c of message.toolCalls ?? []) text += c.name + c.arguments;
    for (const t of message.thinking ?? []) text += t.text;
  }
  return count(text) + 4;
}
