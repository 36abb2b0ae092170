/** One thing the human is asked: a question, or whether a tool call may run. */
export interface UserPrompt {
  /** Unique per prompt (answers over HTTP name it). */
  id: string;
  kind: 'question' | 'approval';
  /** The text to show. */
  text: string;
  /** Accepted answers, when restricted. */
  choices?: string[];
  /** For approvals: the tool and its validated arguments. */
  tool?: string;
  arguments?: unknown;
  /** The run that asks, when known. */
  runId?: string;
  /** The task that asks (the `UserAgent`'s task in that run), when known. */
  taskId?: string;
  /** The agent that asks, when known (`type/key`). */
  from?: string;
}

/**
 * How a `UserAgent` reaches a human: shows a prompt and resolves with the
 * answer as text. Implementations must stop waiting (and withdraw the prompt)
 * when `signal` aborts, rejecting with its reason. Channels here: the
 * terminal (`terminalChannel`), HTTP (`startHttpChannel`) and a scripted one
 * for tests (`scriptedChannel`).
 */
export interface UserChannel {
  ask(prompt: UserPrompt, options: { signal: AbortSignal }): Promise<string>;
}

/** Whether an answer to an approval means yes: `y`, `yes`, `ok`, `approve`, `approved`, `allow` (any case). */
export function isApproval(answer: string): boolean {
  return /^(y|yes|ok|approve|approved|allow)$/i.test(answer.trim());
}
