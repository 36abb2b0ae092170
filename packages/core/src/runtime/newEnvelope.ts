import type { AgentTarget, TellOptions } from '../agent/types.js';
import type { AgentAddress } from '../messages/address.js';
import { type Envelope, type Message, trustedSchema, VALIDATED_BY } from '../messages/envelope.js';
import { newIdAt } from '../messages/id.js';
import type { Delivery } from './Delivery.js';

/**
 * The envelope of a message sent to `target`, from inside the handling of `parent` (or from
 * outside any handler): a fresh id, the run, task and parent ids and the trace context inherited
 * from the options or the parent, and the sending instance as `from`. The deadline and the ask
 * chain are the asker's to add; the deadline (ms since the epoch) is set when given.
 */
export function newEnvelope(
  target: AgentTarget,
  message: Message,
  options: TellOptions | undefined,
  parent: Delivery | undefined,
  now: number,
  deadline?: number,
): Envelope {
  const to: AgentAddress = 'kind' in target ? { type: target.type } : target;
  const id = newIdAt(now);
  // Made whole, not grown field by field: a field added later gives the object a second allocation.
  const envelope: Envelope =
    deadline === undefined
      ? { v: 1, id, type: message.type, to, ts: now, payload: message.payload }
      : { v: 1, id, type: message.type, to, ts: now, payload: message.payload, deadline };
  // Trusted only for the exact, unchangeable payload `create` returned (checked before the copy).
  const validatedBy = trustedSchema(message);
  if (validatedBy !== undefined) envelope[VALIDATED_BY] = validatedBy;
  const runId = options?.runId ?? parent?.runId;
  if (runId !== undefined) envelope.runId = runId;
  if (options?.taskId !== undefined) envelope.taskId = options.taskId;
  const parentId = options?.parentId ?? parent?.taskId;
  if (parentId !== undefined) envelope.parentId = parentId;
  // Passed through as is while tracing is off; a traced send replaces them with its own span's.
  const trace = options?.traceparent !== undefined ? options : parent?.envelope;
  if (trace?.traceparent !== undefined) envelope.traceparent = trace.traceparent;
  if (trace?.tracestate !== undefined) envelope.tracestate = trace.tracestate;
  // The asking instance itself (pool members included), not the address its own message was sent to.
  if (parent?.instance) envelope.from = parent.instance.address;
  return envelope;
}
