import {
  type AgentDef,
  type AgentTarget,
  defineAgent,
  type HandlerContext,
  newId,
  on,
  TimeoutError,
} from '@troupe/core';
import { CallScope } from '../model/CallScope.js';
import type { Approver } from '../tools/approval.js';
import { isApproval, type UserChannel, type UserPrompt } from './channel.js';
import { type UserAnswer, type UserApproval, UserApprove, UserAsk } from './messages.js';

/** Options of {@link userAgent}. */
export interface UserAgentOptions {
  /** How the human is reached. */
  channel: UserChannel;
  /** The agent type (default `user`). */
  type?: string;
  /** Milliseconds to wait for an answer unless the message says otherwise (default 300 000). */
  timeout?: number;
}

/** The messages a {@link userAgent} answers. */
export type UserProtocol = {
  'user.ask': { payload: ReturnType<typeof UserAsk.parsePayload>; reply: UserAnswer };
  'user.approve': { payload: ReturnType<typeof UserApprove.parsePayload>; reply: UserApproval };
};

/**
 * The human in the loop, as an agent: `user.ask` puts a question through
 * the channel and answers with what the human said (asking again while the
 * answer is not one of `choices`); `user.approve` asks whether a tool call
 * may run. Both wait up to `timeout` and stop when the asker cancels. A
 * question that times out rejects with `TimeoutError` (or answers its
 * `default`); an approval that times out is a refusal. One prompt at a time
 * per instance: the mailbox queues the rest.
 * @example
 * await runtime.register(userAgent({ channel: terminalChannel() }));
 * const { answer } = await runtime.ref({ type: 'user' }).ask(UserAsk.create({ question: 'Ship it?', choices: ['yes', 'no'] }));
 */
export function userAgent(options: UserAgentOptions): AgentDef<string, UserProtocol> {
  const wait = (ms: number | undefined) => ms ?? options.timeout ?? 300_000;
  return defineAgent({
    type: options.type ?? 'user',
    handles: {
      [UserAsk.type]: on(UserAsk, async (ask, ctx): Promise<UserAnswer> => {
        const prompt = promptOf(ctx, { kind: 'question', text: ask.question });
        if (ask.choices) prompt.choices = ask.choices;
        try {
          return { answer: await waitForAnswer(options.channel, prompt, ctx, wait(ask.timeout)) };
        } catch (err) {
          if (err instanceof TimeoutError && !ctx.signal.aborted && ask.default !== undefined) {
            return { answer: ask.default, timedOut: true };
          }
          throw err;
        }
      }),
      [UserApprove.type]: on(UserApprove, async (request, ctx): Promise<UserApproval> => {
        const text = request.reason ? `Allow ${request.tool}? ${request.reason}` : `Allow ${request.tool}?`;
        const prompt = promptOf(ctx, { kind: 'approval', text });
        prompt.tool = request.tool;
        prompt.arguments = request.arguments;
        const timeout = wait(request.timeout);
        let answer: string;
        try {
          answer = await waitForAnswer(options.channel, prompt, ctx, timeout);
        } catch (err) {
          if (err instanceof TimeoutError && !ctx.signal.aborted) {
            return { approved: false, reason: `no answer within ${timeout} ms` };
          }
          throw err;
        }
        if (isApproval(answer)) return { approved: true };
        const said = answer.trim();
        return /^(n|no)?$/i.test(said) ? { approved: false } : { approved: false, reason: said };
      }),
    },
  });
}

/**
 * An {@link Approver} that asks a `UserAgent` (e.g. `{ type: 'user' }`) on
 * behalf of the handler whose `ctx` it gets, so the run, deadline and
 * cancellation carry over (over NATS too). `timeout`: ms the human has
 * (default 300 000); no answer in time is a refusal.
 */
export function approveWith(
  ctx: Pick<HandlerContext, 'ask'>,
  user: AgentTarget,
  options: { timeout?: number } = {},
): Approver {
  const timeout = options.timeout ?? 300_000;
  return (request, { signal }) =>
    ctx.ask<UserApproval>(
      user,
      UserApprove.create({
        tool: request.tool,
        arguments: request.arguments,
        callId: request.callId,
        timeout,
      }),
      // A little longer than the user agent waits, so its refusal arrives rather than our timeout.
      { signal, timeout: timeout + 1_000 },
    );
}

function promptOf(ctx: HandlerContext, fields: Pick<UserPrompt, 'kind' | 'text'>): UserPrompt {
  const prompt: UserPrompt = { id: newId(), ...fields, runId: ctx.runId, taskId: ctx.taskId };
  const from = ctx.envelope.from;
  if (from) prompt.from = from.key === undefined ? from.type : `${from.type}/${from.key}`;
  return prompt;
}

/** Asks until the answer is acceptable, within `timeout` ms and the handler's signal. */
async function waitForAnswer(
  channel: UserChannel,
  prompt: UserPrompt,
  ctx: HandlerContext,
  timeout: number,
): Promise<string> {
  const scope = new CallScope(ctx.signal, timeout, 'waiting for the user');
  try {
    ctx.emit({ kind: 'task.log', level: 'info', message: `waiting for the user: ${prompt.text}` });
    for (let attempt = 0; ; attempt++) {
      const current =
        attempt === 0
          ? prompt
          : { ...prompt, id: newId(), text: `${prompt.text} (answer one of: ${prompt.choices!.join(', ')})` };
      const answer = (await scope.race(channel.ask(current, { signal: scope.signal }))).trim();
      if (!prompt.choices || prompt.choices.includes(answer)) return answer;
    }
  } catch (err) {
    throw scope.cancelled ? scope.reason() : err;
  } finally {
    scope.dispose();
  }
}
