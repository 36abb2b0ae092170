import type { UserChannel } from '@troupe/agents';
import {
  type AgentRef,
  answerSchemaOf,
  isValidKey,
  SUSPENSIONS_AGENT,
  SuspendRequest,
  ValidationError,
} from '@troupe/core';
import { z } from 'zod';

/** Options of {@link suspendChannel}. */
export interface SuspendChannelOptions {
  /** Ms a question may wait for its answer (default 86 400 000, a day; give the `UserAgent` a timeout as long). */
  timeout?: number;
}

/**
 * A `UserAgent` channel that suspends the asking task inside an orchestrated run instead of
 * prompting a terminal: the question shows on the task's card (`suspended`), `handle.resume(taskId,
 * answer)` (or `answerRun` and a resume, after a restart) answers it, and the run's other branches
 * go on meanwhile. An answer must be one of the prompt's `choices` when it has them. Rejects with
 * `ValidationError` for a prompt without run or task (a `UserAgent` always gives both).
 * @example
 * await runtime.register(userAgent({ channel: suspendChannel(runtime), timeout: 86_400_000 }));
 */
export function suspendChannel(
  runtime: { ref(target: { type: string; key?: string }): AgentRef },
  options: SuspendChannelOptions = {},
): UserChannel {
  return {
    async ask(prompt, { signal }) {
      // Off the asking handler's synchronous start (see `suspendTask`).
      await Promise.resolve();
      const { runId, taskId } = prompt;
      if (runId === undefined || taskId === undefined) {
        throw new ValidationError('a suspending channel needs the prompt’s run and task', {
          issues: [{ path: runId === undefined ? 'runId' : 'taskId', message: 'required' }],
        });
      }
      const schema =
        prompt.choices && prompt.choices.length > 0
          ? z.enum(prompt.choices as [string, ...string[]])
          : z.string();
      const request: z.input<typeof SuspendRequest.schema> = { runId, taskId, question: prompt.text };
      const json = answerSchemaOf(schema);
      if (json !== undefined) request.schema = json;
      const target = isValidKey(taskId)
        ? { type: SUSPENSIONS_AGENT, key: taskId }
        : { type: SUSPENSIONS_AGENT };
      const answer = await runtime
        .ref(target)
        .ask(SuspendRequest.create(request), { signal, timeout: options.timeout ?? 86_400_000 });
      return typeof answer === 'string' ? answer : JSON.stringify(answer);
    },
  };
}
