import { asCancellation, createLogger, ValidationError } from '@troupe/core';
import { SessionNotFoundError } from '../errors.js';
import { bounded } from '../internal/waiting.js';
import type { Runner, RunnerSession, RunnerTask, StartOptions, WaitOptions } from '../types.js';
import { GatewayRemoteSession } from './GatewayRemoteSession.js';
import { GatewayApi } from './gatewayApi.js';

/** Options of {@link GatewayRunner}. */
export interface GatewayRunnerOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:18789`. */
  baseUrl: string;
  /** Bearer token (default: `TROUPE_GATEWAY_TOKEN`); sent in the `Authorization` header only. */
  token?: string;
  /** Agent type for tasks (the note's `agent`, e.g. `coder`). */
  agent?: string;
  /** Model when the task names none. */
  model?: string;
  /** Ms between `list` polls (one request for all sessions; default 500). */
  pollMs?: number;
  /** Ms each HTTP request may take (default 10 000). */
  requestTimeoutMs?: number;
}

const log = createLogger({ name: 'runners.gateway' });

/**
 * Sessions on an HTTP gateway (the TaskGroup note's plan B): `spawn` starts one, a single `list`
 * per tick polls the status and new events of all of them, `cancel` stops one. Bearer-token
 * auth, configurable base URL. The gateway keeps the sessions, so `reattach(id)` works from any
 * process; `close()` stops polling and leaves them running.
 * @example
 * await using gateway = new GatewayRunner({ baseUrl: 'http://127.0.0.1:18789', agent: 'coder' });
 * const session = await gateway.start({ prompt: 'Deploy the design tokens', label: 'tokens' }, { timeout: 300_000 });
 * const { status, result } = await session.wait();
 */
export class GatewayRunner implements Runner {
  readonly kind = 'gateway';
  readonly #o: GatewayRunnerOptions;
  readonly #api: GatewayApi;
  readonly #live = new Map<string, GatewayRemoteSession>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;

  constructor(options: GatewayRunnerOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new ValidationError(`baseUrl must be an http(s) URL, got '${options.baseUrl}'`, {
        issues: [{ path: 'baseUrl', message: 'http(s) URL' }],
      });
    }
    this.#o = options;
    this.#api = new GatewayApi({
      baseUrl: options.baseUrl,
      token: options.token ?? process.env.TROUPE_GATEWAY_TOKEN,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    });
  }

  /** Spawns a session for `task.prompt`; rejects with `UnauthorizedError` on a refused token. */
  async start(task: RunnerTask, options: StartOptions = {}): Promise<RunnerSession> {
    if (typeof task.prompt !== 'string' || task.prompt === '') {
      throw new ValidationError('GatewayRunner needs task.prompt', {
        issues: [{ path: 'prompt', message: 'required' }],
      });
    }
    if (options.signal?.aborted) throw asCancellation(options.signal.reason);
    const body: Record<string, unknown> = { prompt: task.prompt };
    const model = task.model ?? this.#o.model;
    if (this.#o.agent !== undefined) body.agent = this.#o.agent;
    if (model !== undefined) body.model = model;
    if (task.label !== undefined) body.label = task.label;
    if (options.timeout !== undefined) body.timeout = Math.ceil(options.timeout / 1000);
    if (options.sessionId !== undefined) body.resume = options.sessionId;
    const id = await this.#api.spawn(body);
    return this.#follow(id, options);
  }

  /** Follows gateway session `id` (from any process); `SessionNotFoundError` when the gateway does not know it. */
  reattach(id: string, options?: WaitOptions): Promise<RunnerSession> {
    return bounded(this.#reattach(id), options, `reattaching session ${id}`);
  }

  async #reattach(id: string): Promise<RunnerSession> {
    const live = this.#live.get(id);
    if (live) return live;
    const [found] = await this.#api.list([id], { [id]: 0 });
    if (!found) throw new SessionNotFoundError(`the gateway has no session '${id}'`);
    const session = this.#follow(id, {});
    session.update(found);
    return session;
  }

  /** Stops polling; sessions go on at the gateway (reattach to follow them). Idempotent. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const session of this.#live.values()) session.detach();
    this.#live.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #follow(id: string, options: StartOptions): GatewayRemoteSession {
    const session = new GatewayRemoteSession(id, this.#api, options, () => this.#live.delete(id));
    this.#live.set(id, session);
    this.#schedule();
    return session;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#polling || this.#live.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll();
    }, this.#o.pollMs ?? 500);
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    try {
      const sessions = [...this.#live.values()];
      const after = Object.fromEntries(sessions.map((s) => [s.id, s.cursor]));
      const listed = new Map((await this.#api.list(Object.keys(after), after)).map((s) => [s.id, s]));
      for (const session of sessions) session.update(listed.get(session.id));
    } catch (err) {
      // A failed poll is retried next tick; sessions end only on what the gateway says.
      log.warn('polling the gateway failed', { error: (err as Error).message });
    } finally {
      this.#polling = false;
      this.#schedule();
    }
  }
}
