import { z } from 'zod';
import type { HandlerContext } from '../agent/types.js';
import { validationErrorFromZod } from '../errors/zodIssues.js';
import { isValidKey } from '../messages/address.js';
import { defineMessage } from '../messages/defineMessage.js';

/**
 * Step-level human in the loop for agents: a handler suspends its task with a question and a zod
 * schema for the answer, and goes on with the answer once someone gives it. The question goes to
 * the agent type below, which the process driving the run serves (`orchestrate` registers it): it
 * shows the task `suspended` with the question (`task.suspended`), validates the answer given to
 * `handle.resume(taskId, answer)`, and replies with it (`task.answered`).
 */

/** The agent type that takes the questions of suspended tasks; the process driving the run serves it. */
export const SUSPENSIONS_AGENT = 'troupe.suspensions';

/** A task's question, sent to {@link SUSPENSIONS_AGENT}; the reply is the validated answer. */
export const SuspendRequest = defineMessage(
  'task.suspend',
  z.object({
    /** The run the task belongs to. */
    runId: z.string().min(1),
    /** The task that waits (its card shows `suspended`). */
    taskId: z.string().min(1),
    /** Its parent task, when known. */
    parentId: z.string().optional(),
    /** What to ask. */
    question: z.string().min(1),
    /** JSON Schema of the answer (from the zod schema); the run validates answers with it. */
    schema: z.unknown().optional(),
  }),
);

/** Options of {@link suspendTask}. */
export interface SuspendTaskOptions<S extends z.ZodType> {
  /** What to ask, shown on the task's card. */
  question: string;
  /** The answer's schema; the answer is validated with it (`ValidationError` naming the field). */
  schema: S;
  /** Ms to wait for the answer (default 86 400 000, a day; the asker's own deadline still applies). */
  timeout?: number;
}

/** JSON Schema of a zod schema, for a question's card and for validating answers elsewhere. */
export function answerSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    return undefined;
  }
}

/**
 * Suspends the handler's task with a question until the run gets an answer, and returns it,
 * parsed by `schema`. Its siblings keep running meanwhile. Rejects with `NoRespondersError` when
 * no process serves {@link SUSPENSIONS_AGENT} (the run is not driven by `orchestrate`), with
 * `TimeoutError` after `timeout` ms, or when the handler's signal aborts.
 * @example
 * const { region } = await suspendTask(ctx, { question: 'Deploy to which region?', schema: z.object({ region: z.string() }) });
 */
export async function suspendTask<S extends z.ZodType>(
  ctx: Pick<HandlerContext, 'ask' | 'runId' | 'taskId' | 'envelope' | 'signal'>,
  options: SuspendTaskOptions<S>,
): Promise<z.output<S>> {
  // Off the handler's synchronous start: its first ask may create an instance, which XState
  // warns about inside the action that started the handler.
  await Promise.resolve();
  const request: z.input<typeof SuspendRequest.schema> = {
    runId: ctx.runId,
    taskId: ctx.taskId,
    question: options.question,
  };
  const parentId = ctx.envelope.parentId;
  if (parentId !== undefined) request.parentId = parentId;
  const schema = answerSchemaOf(options.schema);
  if (schema !== undefined) request.schema = schema;
  // One instance per asking task (a keyed address), so questions never queue behind each other.
  const target = isValidKey(ctx.taskId)
    ? { type: SUSPENSIONS_AGENT, key: ctx.taskId }
    : { type: SUSPENSIONS_AGENT };
  const answer = await ctx.ask(target, SuspendRequest.create(request), {
    timeout: options.timeout ?? 86_400_000,
    signal: ctx.signal,
  });
  // The run validated it against the JSON Schema; the zod schema has the last word (and the types).
  const parsed = options.schema.safeParse(answer);
  if (!parsed.success)
    throw validationErrorFromZod(parsed.error, 'answer', `answer to '${options.question}'`);
  return parsed.data;
}
