import { z } from 'zod';

/** What another process may ask of a running run. */
export const ControlRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('pause') }),
  z.object({ op: z.literal('resume') }),
  z.object({ op: z.literal('cancel'), reason: z.string().max(1_000).optional() }),
  z.object({ op: z.literal('answer'), taskId: z.string().min(1).max(256), answer: z.unknown() }),
]);

/** A control request (see {@link ControlRequestSchema}). */
export type ControlRequest = z.output<typeof ControlRequestSchema>;

/** The run's answer to a control request. */
export const ControlReplySchema = z.object({
  ok: z.boolean(),
  /** The run's state after the request. */
  state: z.string(),
  /** What happened, or why it was refused. */
  message: z.string(),
});

/** A reply to a control request. */
export type ControlReply = z.output<typeof ControlReplySchema>;

/** What a run does with a control request. */
export type ControlHandler = (request: ControlRequest) => Promise<ControlReply>;
