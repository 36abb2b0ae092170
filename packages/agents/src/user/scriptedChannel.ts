import { onAbortOf } from './abort.js';
import type { UserChannel, UserPrompt } from './channel.js';

/** A {@link UserChannel} for tests and examples: answers from a list or a function, and records every prompt. */
export interface ScriptedChannel extends UserChannel {
  /** Every prompt it got, in order. */
  readonly prompts: UserPrompt[];
}

/**
 * A channel that answers in order from `answers` (or by calling it). Once
 * the list runs out it answers nothing and waits like a human who is away,
 * until the signal aborts; a function that throws rejects the ask.
 * @example
 * const user = userAgent({ channel: scriptedChannel(['yes']) });
 */
export function scriptedChannel(
  answers: readonly string[] | ((prompt: UserPrompt) => string | Promise<string>),
): ScriptedChannel {
  const prompts: UserPrompt[] = [];
  let next = 0;
  return {
    prompts,
    async ask(prompt, { signal }) {
      prompts.push(structuredClone(prompt));
      if (signal.aborted) throw signal.reason;
      if (typeof answers === 'function') return answers(prompt);
      const answer = answers[next];
      if (answer !== undefined) {
        next++;
        return answer;
      }
      return new Promise<string>((_, reject) => onAbortOf(signal, () => reject(signal.reason)));
    },
  };
}
