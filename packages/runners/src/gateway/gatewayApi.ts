import { TimeoutError, TransportError, UnauthorizedError, ValidationError } from '@troupe/core';
import { z } from 'zod';
import { ProtocolError } from '../errors.js';

/** One progress item a gateway session reports. */
export const GatewayEventSchema = z.discriminatedUnion('type', [
  z.object({
    seq: z.number().int(),
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
    message: z.string(),
  }),
  z.object({
    seq: z.number().int(),
    type: z.literal('tool'),
    tool: z.string(),
    call_id: z.string().optional(),
    status: z.enum(['started', 'succeeded', 'failed']),
  }),
  z.object({
    seq: z.number().int(),
    type: z.literal('progress'),
    percent: z.number().min(0).max(100).optional(),
    step: z.string().optional(),
  }),
  z.object({
    seq: z.number().int(),
    type: z.literal('tokens'),
    input: z.number().int().nonnegative(),
    output: z.number().int().nonnegative(),
  }),
  z.object({ seq: z.number().int(), type: z.literal('artifact'), path: z.string() }),
]);

/** A session as the gateway's `list` reports it. */
export const GatewaySessionSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'timed_out']),
  result: z.string().optional(),
  error: z.object({ code: z.string().optional(), message: z.string() }).optional(),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }).optional(),
  cost_usd: z.number().optional(),
  session_id: z.string().optional(),
  artifacts: z.array(z.string()).optional(),
  events: z.array(z.unknown()).default([]),
});
export type GatewaySession = z.output<typeof GatewaySessionSchema>;

const SpawnReplySchema = z.object({ session_id: z.string().min(1) });
const ListReplySchema = z.object({ sessions: z.array(GatewaySessionSchema) });

/** How to reach a gateway. */
export interface GatewayEndpoint {
  baseUrl: string;
  token: string | undefined;
  requestTimeoutMs: number;
}

/**
 * The sessions API of the TaskGroup note's plan B, over HTTP with a bearer token:
 * `POST /v1/sessions/spawn`, `POST /v1/sessions/list` (status and new events of many sessions at
 * once), `POST /v1/sessions/{id}/cancel|send|pause|resume`. The token goes in the
 * `Authorization` header only; no error message carries it.
 */
export class GatewayApi {
  readonly #e: GatewayEndpoint;

  constructor(endpoint: GatewayEndpoint) {
    this.#e = endpoint;
  }

  async spawn(body: Record<string, unknown>): Promise<string> {
    return SpawnReplySchema.parse(await this.#post('/v1/sessions/spawn', body)).session_id;
  }

  /** Sessions by id (absent ids are unknown to the gateway), each with its events after `after[id]`. */
  async list(ids: readonly string[], after: Record<string, number>): Promise<GatewaySession[]> {
    const reply = ListReplySchema.safeParse(
      await this.#post('/v1/sessions/list', { session_ids: ids, after }),
    );
    if (!reply.success) throw new ProtocolError(`gateway list reply is malformed: ${reply.error.message}`);
    return reply.data.sessions;
  }

  async action(
    id: string,
    action: 'cancel' | 'send' | 'pause' | 'resume',
    body: Record<string, unknown> = {},
  ) {
    await this.#post(`/v1/sessions/${encodeURIComponent(id)}/${action}`, body);
  }

  async #post(path: string, body: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#e.token !== undefined) headers.authorization = `Bearer ${this.#e.token}`;
    let response: Response;
    try {
      response = await fetch(new URL(path.slice(1), withSlash(this.#e.baseUrl)), {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#e.requestTimeoutMs),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new TimeoutError(`gateway ${path} timed out`);
      throw new TransportError(`gateway ${path} unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new UnauthorizedError(`gateway refused the token (${response.status} on ${path})`);
    }
    if (response.status === 404 || response.status === 400) {
      throw new ValidationError(`gateway ${path}: ${response.status} ${clip(text)}`);
    }
    if (!response.ok) throw new TransportError(`gateway ${path}: ${response.status} ${clip(text)}`);
    try {
      return text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      throw new ProtocolError(`gateway ${path} answered with non-JSON`);
    }
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
