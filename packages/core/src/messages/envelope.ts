import { z } from 'zod';
import { type AgentAddress, AgentAddressSchema } from './address.js';

/**
 * @internal Marks a message (and, in-process, its envelope) whose payload a
 * message definition already validated, so the receiving host need not parse
 * it again. Symbol-keyed: it never travels over the wire.
 */
export const VALIDATED_BY: unique symbol = Symbol('troupe.validatedBy');

/** What `create` vouches for: the schema, and the exact payload it returned. */
interface Vouch {
  schema: unknown;
  payload: unknown;
}

/**
 * Messages made by a definition's `create`, keyed by the message object itself: a spread
 * (`{ ...msg, payload }`) is a new object and so carries no vouch.
 */
const created = new WeakMap<object, Vouch>();

/**
 * @internal Records that `create` made `message`. Only a payload that cannot change since
 * (a primitive, or one `create` deep-froze) is ever trusted: see {@link trustedSchema}.
 */
export function vouchFor(message: object, schema: unknown, payload: unknown, frozen: boolean): void {
  if (frozen || typeof payload !== 'object' || payload === null) created.set(message, { schema, payload });
}

/**
 * @internal The schema that validated this very message's payload, or undefined when the payload
 * must be parsed again: the message was not made by `create`, was spread into a new object, had
 * its payload replaced, or has a mutable payload (an edit in place cannot be ruled out).
 */
export function trustedSchema(message: Message): unknown {
  const vouch = created.get(message);
  return vouch !== undefined && Object.is(vouch.payload, message.payload) ? vouch.schema : undefined;
}

/** Zod schema of the message envelope; every process boundary validates with it. */
export const EnvelopeSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(128),
  type: z.string().min(1).max(256),
  from: AgentAddressSchema.optional(),
  to: AgentAddressSchema,
  replyTo: z.string().max(512).optional(),
  correlationId: z.string().max(128).optional(),
  runId: z.string().max(128).optional(),
  taskId: z.string().max(128).optional(),
  parentId: z.string().max(128).optional(),
  ts: z.number(),
  deadline: z.number().optional(),
  attempt: z.number().int().nonnegative().optional(),
  traceparent: z.string().max(256).optional(),
  chain: z.array(z.string().min(1).max(1024)).max(256).optional(),
  tracestate: z.string().max(512).optional(),
  // Absent for a payload-less message (`z.void()`): JSON leaves an `undefined` out.
  payload: z.unknown().optional(),
});

/** A message in flight: routing and tracing fields around a typed `payload`. */
export interface Envelope<T = unknown, Type extends string = string> {
  /** Envelope format version. */
  v: 1;
  /** Unique, time-sortable id (UUIDv7). */
  id: string;
  /** Message type, e.g. `task.assign`. */
  type: Type;
  /** The sending agent, when an agent sent it. */
  from?: AgentAddress;
  /** The addressed agent. */
  to: AgentAddress;
  /** Where the reply goes (transport-specific). */
  replyTo?: string;
  /** The id of the message this one answers. */
  correlationId?: string;
  /** The run this message belongs to. */
  runId?: string;
  /** The task this message performs (defaults to `id`). */
  taskId?: string;
  /** The task that caused this one, for progress trees. */
  parentId?: string;
  /** Creation time, ms since the epoch. */
  ts: number;
  /** Absolute deadline, ms since the epoch. */
  deadline?: number;
  /** Delivery attempt, starting at 1. */
  attempt?: number;
  /** W3C trace context: the sender's span (`00-<trace id>-<span id>-<flags>`). */
  traceparent?: string;
  /**
   * On an ask made by a handler: the instances waiting on it, oldest first (the handler's own
   * instance last), as `type/key` (pool members add `#` and their runtime's tag). The host of the
   * target fails the ask with `DeadlockError` when its instance is already on the chain.
   */
  chain?: string[];
  /** W3C trace context: vendor-specific trace state that travels with `traceparent`. */
  tracestate?: string;
  /** The typed body. */
  payload: T;
  /** @internal the schema that already validated `payload` (in-process only). */
  [VALIDATED_BY]?: unknown;
}

/** A message to send: its type and payload (the runtime fills the envelope). */
export interface Message<Type extends string = string, T = unknown> {
  type: Type;
  payload: T;
}
