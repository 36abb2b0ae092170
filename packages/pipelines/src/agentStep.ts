import { type AgentRef, type AskOptions, formatAddress, type Message, type Protocol } from '@troupe/core';
import type { BackoffOptions } from './retry.js';
import type { Step, StepContext } from './scope.js';
import { makeStep } from './step.js';

/** Options of {@link agentStep}. */
export interface AgentStepOptions {
  /** Name shown in progress (default: the agent's address). */
  name?: string;
  /** Ms each ask may take (default: the runtime's `defaultTimeout`). */
  timeout?: number;
  /** Extra attempts after the first, only for retryable errors (default 0). */
  retries?: number;
  /** Backoff between attempts. */
  backoff?: BackoffOptions;
}

/**
 * A step that asks an agent: `build` turns the step's input into the message,
 * and the agent's reply is the step's output. The ask carries the step's
 * signal, run and task, so cancelling the run aborts the handler too.
 * @example
 * const summarize = agentStep(runtime.ref(Writer), (text: string) => Summarize.create({ text }));
 */
export function agentStep<P extends Protocol, K extends keyof P & string, I>(
  ref: AgentRef<P>,
  build: (input: I, ctx: StepContext) => Message<K, P[K]['payload']>,
  options: AgentStepOptions = {},
): Step<I, P[K]['reply']> {
  const agent = formatAddress(ref.address);
  const timeout = options.timeout;
  const retries = options.retries ?? 0;
  const policy =
    retries > 0 ? (options.backoff ? { retries, backoff: options.backoff } : { retries }) : undefined;
  return makeStep<I, P[K]['reply']>(
    options.name ?? agent,
    (input, ctx) => {
      let message: Message<K, P[K]['payload']>;
      try {
        message = build(input, ctx);
      } catch (err) {
        return Promise.reject(err);
      }
      const ask: AskOptions = { signal: ctx.signal };
      if (timeout !== undefined) ask.timeout = timeout;
      if (ctx.core.on) {
        ask.runId = ctx.runId;
        ask.parentId = ctx.taskId;
      }
      return ref.ask(message, ask);
    },
    { agent, policy },
  );
}
