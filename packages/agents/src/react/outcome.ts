import { defineMessage } from '@troupe/core';
import { z } from 'zod';

/** Asks a ReAct agent to work on a task until it has a final answer or its budget is spent. */
export const ReActRun = defineMessage(
  'react.run',
  z.object({
    /** What to do, in words. */
    task: z.string().min(1),
    /** What the task builds on (results of earlier steps, files, constraints). */
    context: z.string().optional(),
    /** Model calls allowed for this run (default: the agent's `maxIterations`). */
    maxIterations: z.number().int().positive().optional(),
  }),
);

/** The payload of {@link ReActRun}. */
export type ReActRunInput = z.input<typeof ReActRun.schema>;

const counts = {
  /** Model calls made. */
  iterations: z.number().int().nonnegative(),
  /** Tool calls run. */
  toolCalls: z.number().int().nonnegative(),
  /** Tokens over every model call of the run. */
  usage: z.object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
  }),
};

/**
 * How a ReAct run ended: `completed` with the model's final answer (and
 * `output`, parsed by the agent's zod schema, when it has one), or
 * `incomplete`, never passed off as an answer: the iteration budget was spent
 * (`max_iterations`) or the model kept asking for the same call
 * (`repeated_tool_call`). `done` lists the tool calls that ran; `remaining`
 * is what is still open; `lastMessage` is the model's last text, which is
 * not an answer.
 */
export const ReActOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('completed'),
    answer: z.string(),
    output: z.unknown().optional(),
    ...counts,
  }),
  z.object({
    status: z.literal('incomplete'),
    reason: z.enum(['max_iterations', 'repeated_tool_call']),
    done: z.array(z.string()),
    remaining: z.string(),
    lastMessage: z.string().optional(),
    /** The call that was asked for once too often (`repeated_tool_call`). */
    repeated: z.object({ tool: z.string(), arguments: z.string(), times: z.number().int() }).optional(),
    ...counts,
  }),
]);

type Outcome = z.output<typeof ReActOutcomeSchema>;
/** A finished ReAct run; `output` is typed by the agent's output schema. */
export type ReActCompleted<T = unknown> = Omit<Extract<Outcome, { status: 'completed' }>, 'output'> & {
  output?: T;
};
/** A ReAct run that stopped without an answer (see {@link ReActOutcomeSchema}). */
export type ReActIncomplete = Extract<Outcome, { status: 'incomplete' }>;
/** How a ReAct run ended (see {@link ReActOutcomeSchema}). */
export type ReActOutcome<T = unknown> = ReActCompleted<T> | ReActIncomplete;
