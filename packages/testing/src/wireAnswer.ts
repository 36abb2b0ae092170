/** A model answer to encode in some provider's wire format. */
export interface WireAnswer {
  text?: string;
  /** Tool calls; `arguments` is JSON text (it may be invalid on purpose). */
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  /** Why the model stopped (default: `tool_calls` when there are tool calls, else `end`). */
  stop?: 'end' | 'tool_calls' | 'max_tokens' | 'content_filter';
  usage?: { input: number; output: number; cached?: number; cacheWrite?: number };
  model?: string;
  /** Reasoning text (Chat Completions `reasoning_content`, Anthropic thinking). */
  thinking?: string;
}

/** How to cut a stream: after the first piece of the last tool call's arguments (mid-JSON). */
export interface CutOptions {
  cutMidToolArguments?: boolean;
}

/** The stop reason of `answer`. */
export function stopOf(answer: WireAnswer): NonNullable<WireAnswer['stop']> {
  return answer.stop ?? (answer.toolCalls?.length ? 'tool_calls' : 'end');
}

/** `text` in two halves (the first never empty unless `text` is). */
export function halves(text: string): [string, string] {
  const i = Math.max(1, Math.ceil(text.length / 2));
  return [text.slice(0, i), text.slice(i)];
}
