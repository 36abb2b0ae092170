import type { ChatMessage, ChatModel } from '../model/types.js';

/** What a compactor is told: the bound to get under, how to count, and a signal. */
export interface CompactionContext {
  /** The memory's bound, tokens. */
  maxTokens: number;
  /** Tokens of one message, as the memory counts them. */
  count(message: ChatMessage): number;
  signal: AbortSignal;
}

/** Shrinks a conversation that grew past its bound (return it under `maxTokens`; the memory drops oldest turns if not). */
export type Compactor = (
  messages: readonly ChatMessage[],
  ctx: CompactionContext,
) => ChatMessage[] | Promise<ChatMessage[]>;

/**
 * The default compactor: keeps the leading system messages and drops the
 * oldest turns until the rest fits, never leaving a tool result whose call
 * was dropped, and always keeping the last message.
 */
export const dropOldest: Compactor = (messages, { maxTokens, count }) => {
  const head = leadingSystem(messages);
  const rest = messages.slice(head.length);
  let total = messages.reduce((n, m) => n + count(m), 0);
  let start = 0;
  while (total > maxTokens && rest.length - start > 1) {
    total -= count(rest[start]!);
    start++;
    while (rest.length - start > 1 && rest[start]!.role === 'tool') {
      total -= count(rest[start]!);
      start++;
    }
  }
  return [...head, ...rest.slice(start)];
};

/** Options of {@link summarizeWith}. */
export interface SummarizeOptions {
  /** Share of the bound the kept recent messages may use (default 0.5). */
  keepRatio?: number;
  /** The instruction given to the summarizing model. */
  instructions?: string;
}

/**
 * A compactor that asks `model` to summarise the older part of the
 * conversation into one system message, keeping the leading system messages
 * and the most recent turns verbatim.
 */
export function summarizeWith(model: ChatModel, options: SummarizeOptions = {}): Compactor {
  return async (messages, { maxTokens, count, signal }) => {
    const head = leadingSystem(messages);
    const rest = messages.slice(head.length);
    const budget = maxTokens * (options.keepRatio ?? 0.5);
    let cut = rest.length - 1;
    let kept = count(rest[cut]!);
    while (cut > 0 && kept + count(rest[cut - 1]!) <= budget) kept += count(rest[--cut]!);
    while (cut < rest.length - 1 && rest[cut]!.role === 'tool') cut++;
    const older = rest.slice(0, cut);
    if (older.length === 0) return [...messages];
    const transcript = older.map((m) => `${m.role}: ${m.content}${toolCallText(m)}`).join('\n');
    const { message } = await model.chat({
      messages: [
        {
          role: 'system',
          content:
            options.instructions ??
            'Summarise this conversation so it can continue without it: keep facts, decisions, open questions and tool results that matter. Be brief.',
        },
        { role: 'user', content: transcript },
      ],
      signal,
    });
    return [
      ...head,
      { role: 'system', content: `Summary of the earlier conversation:\n${message.content}` },
      ...rest.slice(cut),
    ];
  };
}

function toolCallText(m: ChatMessage): string {
  if (m.role !== 'assistant' || !m.toolCalls?.length) return '';
  return ` [called ${m.toolCalls.map((c) => `${c.name}(${c.arguments})`).join(', ')}]`;
}

function leadingSystem(messages: readonly ChatMessage[]): ChatMessage[] {
  const head: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role !== 'system') break;
    head.push(m);
  }
  return head;
}
