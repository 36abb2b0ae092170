import { z } from 'zod';

/** The gateway protocol version this client speaks (OpenClaw `PROTOCOL_VERSION`). */
export const OPENCLAW_PROTOCOL = 4;

/** An error as OpenClaw's `ErrorShape`: `{ code, message, details?, retryable?, retryAfterMs? }`. */
export const ErrorShapeSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().optional(),
});
export type ErrorShape = z.output<typeof ErrorShapeSchema>;

/** A frame the gateway sends: `res` to a request, or an `event`. */
export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('res'),
    id: z.string(),
    ok: z.boolean(),
    payload: z.unknown().optional(),
    error: ErrorShapeSchema.optional(),
  }),
  z.object({
    type: z.literal('event'),
    event: z.string(),
    payload: z.unknown().optional(),
    seq: z.number().optional(),
    stateVersion: z.unknown().optional(),
  }),
]);
export type ServerFrame = z.output<typeof ServerFrameSchema>;
export type EventFrame = Extract<ServerFrame, { type: 'event' }>;

/** `sessions.create`'s reply (the fields this client reads). */
export const CreateReplySchema = z
  .object({ key: z.string(), sessionId: z.string().optional() })
  .passthrough();

/** `sessions.send`'s reply. */
export const SendReplySchema = z.object({ runId: z.string() }).passthrough();

/** `agent.wait`'s reply: the run's terminal snapshot, or `timeout` when it is still going. */
export const WaitReplySchema = z
  .object({
    runId: z.string(),
    status: z.string(),
    error: z.unknown().optional(),
    startedAt: z.number().optional(),
    endedAt: z.number().optional(),
  })
  .passthrough();

/** `session.message` payload: a transcript message of a subscribed session. */
export const SessionMessageSchema = z
  .object({ sessionKey: z.string(), message: z.object({ role: z.string().optional() }).passthrough() })
  .passthrough();

/** `session.tool` payload: a tool call phase of a subscribed session. */
export const SessionToolSchema = z
  .object({
    sessionKey: z.string(),
    runId: z.string().optional(),
    data: z
      .object({
        phase: z.string().optional(),
        name: z.string().optional(),
        toolCallId: z.string().optional(),
        args: z.unknown().optional(),
        isError: z.boolean().optional(),
      })
      .passthrough(),
  })
  .passthrough();
