import { type AgentDef, type AgentTarget, defineAgent, type HandlerContext, on } from '@troupe/core';
import {
  ConversationMemory,
  type ConversationMemoryOptions,
  type MemorySnapshot,
} from '../memory/ConversationMemory.js';
import { approveWith } from '../user/userAgent.js';
import { type ReActOutcome, ReActRun, type ReActRunInput } from './outcome.js';
import { type ReActOptions, runReAct } from './runReAct.js';

/** Options of {@link reactAgent}: the loop's, plus how the agent is addressed and remembers. */
export interface ReActAgentOptions<T = unknown> extends ReActOptions<T> {
  /** The agent type (default `react`); give each executor its own, e.g. `researcher`. */
  type?: string;
  /** Passed to the model as `agent` (labels events, picks a `ScriptedModel` per-agent script). */
  name?: string;
  /**
   * Keep the conversation across runs, per instance (`ref({ type, key })`):
   * in the instance state, so it survives passivation when the runtime has a
   * store. `true` for the defaults, or the memory's bound and compaction.
   */
  memory?: boolean | Pick<ConversationMemoryOptions, 'maxTokens' | 'countTokens' | 'compact'>;
  /** A `UserAgent` asked to approve calls of tools flagged `needsApproval` (instead of `approve`). */
  approver?: AgentTarget;
  /** Milliseconds the human has per approval (default 300 000). */
  approvalTimeout?: number;
  /** Milliseconds per run (default: none beyond the asker's deadline). */
  timeout?: number;
  /** Stop idle instances after this long, ms (their memory is saved when the runtime has a store). */
  passivateAfterMs?: number;
}

/** What a ReAct agent answers. */
export type ReActProtocol<T = unknown> = {
  'react.run': { payload: ReActRunInput; reply: ReActOutcome<T> };
};

/**
 * A ReAct agent's instance state: its conversation, when it has memory. The
 * live `ConversationMemory` is kept as is (no copy per run); passivation
 * stores its JSON form, which is turned back into a memory on the next run.
 */
interface ReActState {
  memory?: ConversationMemory | MemorySnapshot | undefined;
}

/**
 * The ReAct executor as an agent: each `react.run` is one {@link runReAct}
 * run on the asker's signal and deadline, reporting progress on the run
 * (steps, model calls, tokens, tool calls). Replies with the outcome:
 * `completed` with the answer, or an explicit `incomplete`. With `memory`, a
 * run that fails leaves the conversation as it was before it.
 * @example
 * await runtime.register(reactAgent({ type: 'researcher', model, tools: [search] }));
 * const outcome = await runtime.ref({ type: 'researcher' }).ask(ReActRun.create({ task: 'Find the 2024 GDP of Chile' }));
 */
export function reactAgent<T = unknown>(options: ReActAgentOptions<T>): AgentDef<string, ReActProtocol<T>> {
  const { type, name, memory, approver, approvalTimeout, timeout, passivateAfterMs, ...loop } = options;
  const memoryOptions = memory === true ? {} : memory || undefined;
  const memoryOf = (state: ReActState): ConversationMemory | undefined => {
    if (!memoryOptions) return undefined;
    const held = state.memory;
    if (held instanceof ConversationMemory) return held;
    return new ConversationMemory(memoryOptions, held?.messages ?? []);
  };
  return defineAgent({
    type: type ?? 'react',
    ...(passivateAfterMs === undefined ? {} : { passivateAfterMs }),
    initialState: (): ReActState => ({}),
    handles: {
      [ReActRun.type]: on(
        ReActRun,
        async (input, ctx: HandlerContext<ReActState>): Promise<ReActOutcome<T>> => {
          const conversation = memoryOf(ctx.state);
          const before = conversation ? [...conversation.messages] : [];
          try {
            const outcome = await runReAct<T>(input, {
              ...loop,
              signal: ctx.signal,
              progress: ctx,
              ...(timeout === undefined ? {} : { timeout }),
              ...(name === undefined ? {} : { agent: name }),
              ...(conversation ? { memory: conversation } : {}),
              ...(approver === undefined
                ? {}
                : {
                    approve: approveWith(
                      ctx,
                      approver,
                      approvalTimeout === undefined ? {} : { timeout: approvalTimeout },
                    ),
                  }),
            });
            if (conversation) ctx.setState({ memory: conversation });
            return outcome;
          } catch (err) {
            // A half-done turn (a tool call without its result) would poison the next run.
            if (conversation && memoryOptions)
              ctx.setState({ memory: new ConversationMemory(memoryOptions, before) });
            throw err;
          }
        },
      ),
    },
  });
}
