import { asCancellation, newId, type Store, ValidationError } from '@troupe/core';
import { SessionNotFoundError } from '../errors.js';
import { FinishedSession } from '../internal/FinishedSession.js';
import { checkId, readRecord, type SessionRecord, writeRecord } from '../internal/records.js';
import { bounded } from '../internal/waiting.js';
import type { Runner, RunnerSession, RunnerTask, StartOptions, WaitOptions } from '../types.js';
import { CreateReplySchema, SendReplySchema } from './frames.js';
import { OpenClawClient } from './OpenClawClient.js';
import { OpenClawSession } from './OpenClawSession.js';

/** Options of {@link OpenClawRunner}. */
export interface OpenClawRunnerOptions {
  /** Gateway WebSocket URL (default `ws://127.0.0.1:18789`). */
  url?: string;
  /** Shared gateway token for `connect.params.auth.token` (default: `OPENCLAW_GATEWAY_TOKEN`). */
  token?: string;
  /** Agent that runs the sessions (default: the gateway's default agent). */
  agentId?: string;
  /** Model when the task names none. */
  model?: string;
  /** Operator scopes asked for (default `operator.read`, `operator.write`). */
  scopes?: readonly string[];
  /** `client.id` and `client.mode` (default `gateway-client`/`backend`: a trusted loopback backend needs no device pairing). */
  clientId?: string;
  clientMode?: string;
  /** Where session records go, so reattach works from other processes. */
  store?: Store;
  /** Ms each request may take (default 30 000). */
  requestTimeoutMs?: number;
  /** Ms one `agent.wait` waits at the gateway before asking again (default 25 000). */
  waitSliceMs?: number;
  /** Reconnect attempts after a dropped connection (default 5) and the first backoff, ms (default 250, doubling). */
  reconnectAttempts?: number;
  reconnectBackoffMs?: number;
}

const KIND = 'openclaw';

/**
 * Sessions on a real OpenClaw gateway over its WebSocket protocol (v4): `sessions.create`,
 * `sessions.messages.subscribe`, `sessions.send` (→ run id), `agent.wait`, `sessions.abort`;
 * `session.message` and `session.tool` events stream as progress. One connection per runner,
 * made on first use; a dropped connection is reconnected and the runs followed on. The token is
 * sent in the `connect` request only and kept out of logs and errors.
 * @example
 * await using openclaw = new OpenClawRunner({ token: process.env.OPENCLAW_GATEWAY_TOKEN });
 * const session = await openclaw.start({ prompt: 'Research the three options and compare them' });
 * const { status, result } = await session.wait({ timeout: 600_000 });
 */
export class OpenClawRunner implements Runner {
  readonly kind = KIND;
  readonly #o: OpenClawRunnerOptions;
  readonly #client: OpenClawClient;
  readonly #live = new Map<string, OpenClawSession>();

  constructor(options: OpenClawRunnerOptions = {}) {
    this.#o = options;
    this.#client = new OpenClawClient({
      url: options.url ?? 'ws://127.0.0.1:18789',
      token: options.token ?? process.env.OPENCLAW_GATEWAY_TOKEN,
      client: {
        id: options.clientId ?? 'gateway-client',
        version: '0.1.0',
        platform: process.platform,
        mode: options.clientMode ?? 'backend',
      },
      role: 'operator',
      scopes: options.scopes ?? ['operator.read', 'operator.write'],
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      handshakeTimeoutMs: 15_000,
      reconnectAttempts: options.reconnectAttempts ?? 5,
      reconnectBackoffMs: options.reconnectBackoffMs ?? 250,
    });
  }

  /** Creates a session (or continues session key `options.sessionId`) and sends `task.prompt`. */
  async start(task: RunnerTask, options: StartOptions = {}): Promise<RunnerSession> {
    if (typeof task.prompt !== 'string' || task.prompt === '') {
      throw new ValidationError('OpenClawRunner needs task.prompt', {
        issues: [{ path: 'prompt', message: 'required' }],
      });
    }
    if (options.signal?.aborted) throw asCancellation(options.signal.reason);
    const id = checkId(options.id ?? newId());
    let key = options.sessionId;
    if (key === undefined) {
      const params: Record<string, unknown> = { label: task.label ?? `troupe ${id}` };
      const model = task.model ?? this.#o.model;
      if (model !== undefined) params.model = model;
      if (this.#o.agentId !== undefined) params.agentId = this.#o.agentId;
      key = CreateReplySchema.parse(await this.#client.request('sessions.create', params)).key;
    }
    await this.#client.subscribe(key);
    const record = {
      kind: KIND,
      id,
      status: 'running' as const,
      startedAt: Date.now(),
      extra: { key, runId: '' },
    };
    // Listening before the prompt goes out, so the run's first events are not missed.
    const session = this.#session(record, options);
    try {
      const sent = SendReplySchema.parse(
        await this.#client.request('sessions.send', { key, message: task.prompt, idempotencyKey: newId() }),
      );
      record.extra.runId = sent.runId;
      await writeRecord(this.#o.store, record);
      session.follow(sent.runId);
      return session;
    } catch (err) {
      session.detach();
      this.#live.delete(id);
      this.#client.forget(key);
      throw err;
    }
  }

  /** Session `id` from the store: finished with its result, or followed again until its run ends. */
  reattach(id: string, options?: WaitOptions): Promise<RunnerSession> {
    return bounded(this.#reattach(id), options, `reattaching session ${id}`);
  }

  async #reattach(id: string): Promise<RunnerSession> {
    const live = this.#live.get(checkId(id));
    if (live) return live;
    const record = await readRecord(this.#o.store, KIND, id);
    if (record?.result) return new FinishedSession(id, record.result);
    const key = record?.extra?.key;
    const runId = record?.extra?.runId;
    if (!record || key === undefined || runId === undefined)
      throw new SessionNotFoundError(`no OpenClaw session '${id}'`);
    await this.#client.subscribe(key);
    const session = this.#session({ ...record, extra: { key, runId } }, {});
    session.follow(runId);
    return session;
  }

  /** Stops following (runs go on at the gateway) and closes the connection. Idempotent. */
  async close(): Promise<void> {
    for (const session of this.#live.values()) session.detach();
    this.#live.clear();
    this.#client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #session(
    record: SessionRecord & { extra: { key: string; runId: string } },
    options: StartOptions,
  ): OpenClawSession {
    const session = new OpenClawSession(
      {
        client: this.#client,
        record,
        store: this.#o.store,
        waitSliceMs: this.#o.waitSliceMs ?? 25_000,
        onEnd: () => this.#live.delete(record.id),
      },
      options,
    );
    this.#live.set(record.id, session);
    return session;
  }
}
