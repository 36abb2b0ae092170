import { type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import { controlSubject } from '@troupe/nats';
import {
  type ControlHandler,
  type ControlReply,
  ControlReplySchema,
  type ControlRequest,
  ControlRequestSchema,
} from './request.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Marks the CLI's run-control requests on the control subject (which also carries per-message cancels). */
const TAG = 'troupe.run-control';

/**
 * Serves a run's control requests on `troupe.<ns>.control.<runId>` (request/reply). Messages that
 * are not run-control requests (the per-message cancels the transport sends there) are ignored.
 * Returns the stop function.
 */
export function serveNatsControl(
  nc: NatsConnection,
  namespace: string,
  runId: string,
  handle: ControlHandler,
): () => void {
  const sub = nc.subscribe(controlSubject(namespace, runId), {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      let raw: { tag?: unknown; request?: unknown };
      try {
        raw = JSON.parse(decoder.decode(msg.data)) as typeof raw;
      } catch {
        return;
      }
      if (raw?.tag !== TAG) return;
      const parsed = ControlRequestSchema.safeParse(raw.request);
      const reply: Promise<ControlReply> = parsed.success
        ? handle(parsed.data).catch((e: unknown) => ({
            ok: false,
            state: 'unknown',
            message: (e as Error).message,
          }))
        : Promise.resolve({ ok: false, state: 'unknown', message: 'not a control request' });
      void reply.then((r) => msg.respond(encoder.encode(JSON.stringify(r))));
    },
  });
  return () => sub.unsubscribe();
}

/**
 * Sends a control request to a run over NATS and waits for its reply; `undefined` when no process
 * serves that run (no responders) or none answers within `timeout` ms.
 */
export async function sendNatsRequest(
  nc: NatsConnection,
  target: { namespace: string; runId: string },
  request: ControlRequest,
  options: { timeout?: number } = {},
): Promise<ControlReply | undefined> {
  try {
    const msg = await nc.request(
      controlSubject(target.namespace, target.runId),
      encoder.encode(JSON.stringify({ tag: TAG, request })),
      { timeout: options.timeout ?? 5_000 },
    );
    return ControlReplySchema.parse(JSON.parse(decoder.decode(msg.data)));
  } catch (err) {
    if (err instanceof TimeoutError || (err instanceof RequestError && err.isNoResponders()))
      return undefined;
    throw err;
  }
}
