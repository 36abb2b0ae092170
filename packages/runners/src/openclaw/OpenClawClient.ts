import { ClosedError, createLogger, TimeoutError, TransportError, UnauthorizedError } from '@troupe/core';
import WebSocket from 'ws';
import { GatewayRequestError, ProtocolError } from '../errors.js';
import { sleep } from '../internal/waiting.js';
import {
  type ErrorShape,
  type EventFrame,
  OPENCLAW_PROTOCOL,
  type ServerFrame,
  ServerFrameSchema,
} from './frames.js';

/** How to reach and identify to an OpenClaw gateway. */
export interface OpenClawClientOptions {
  url: string;
  token: string | undefined;
  client: { id: string; version: string; platform: string; mode: string };
  role: string;
  scopes: readonly string[];
  requestTimeoutMs: number;
  handshakeTimeoutMs: number;
  reconnectAttempts: number;
  reconnectBackoffMs: number;
}

interface Pending {
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const log = createLogger({ name: 'runners.openclaw' });

/**
 * One WebSocket connection to an OpenClaw gateway (protocol v4, docs/gateway/protocol.md): waits
 * for the `connect.challenge` event, sends the `connect` request (protocol range, client info,
 * role, scopes, `auth.token`), then correlates `req`/`res` frames by id and fans `event` frames
 * out. A dropped connection fails the requests in flight; the next request reconnects (with
 * backoff) and re-subscribes the sessions it was following. A refused token is final. The token
 * appears in the `connect` frame only, never in logs or error messages.
 */
export class OpenClawClient {
  readonly #o: OpenClawClientOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<(frame: EventFrame) => void>();
  readonly #subscribed = new Set<string>();
  #ws: WebSocket | undefined;
  #connecting: Promise<WebSocket> | undefined;
  #fatal: Error | undefined;
  #closed = false;
  #everConnected = false;
  #nextId = 0;

  constructor(options: OpenClawClientOptions) {
    this.#o = options;
  }

  /** Calls `listener` with every event frame; returns the unsubscribe. */
  onEvent(listener: (frame: EventFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Subscribes to a session's `session.message`/`session.tool` events (again after every reconnect). */
  async subscribe(key: string): Promise<void> {
    this.#subscribed.add(key);
    await this.request('sessions.messages.subscribe', { key });
  }

  /** Stops re-subscribing `key` after reconnects. */
  forget(key: string): void {
    this.#subscribed.delete(key);
  }

  /** Sends a request and resolves with the payload of its `res`; rejects with the gateway's error. */
  async request(method: string, params: unknown, timeoutMs = this.#o.requestTimeoutMs): Promise<unknown> {
    const ws = await this.#open();
    return this.#send(ws, method, params, timeoutMs);
  }

  /** Closes the connection; requests in flight reject with `ClosedError`. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#ws?.close(1000);
    this.#ws = undefined;
    this.#failPending(new ClosedError('OpenClaw client closed'));
  }

  #send(ws: WebSocket, method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const id = `r${++this.#nextId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`OpenClaw ${method} got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: 'req', id, method, params }), (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new TransportError(`OpenClaw ${method}: ${err.message}`, { cause: err }));
      });
    });
  }

  async #open(): Promise<WebSocket> {
    if (this.#closed) throw new ClosedError('OpenClaw client closed');
    if (this.#fatal) throw this.#fatal;
    if (this.#ws?.readyState === WebSocket.OPEN) return this.#ws;
    this.#connecting ??= this.#connectWithRetries().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connectWithRetries(): Promise<WebSocket> {
    const reconnecting = this.#everConnected;
    let lastError: Error = new TransportError('not connected');
    for (let attempt = 0; attempt <= this.#o.reconnectAttempts; attempt++) {
      if (attempt > 0) await sleep(Math.min(this.#o.reconnectBackoffMs * 2 ** (attempt - 1), 5_000));
      if (this.#closed) throw new ClosedError('OpenClaw client closed');
      try {
        const ws = await this.#handshake();
        this.#ws = ws;
        this.#everConnected = true;
        if (reconnecting) {
          log.info('reconnected to the OpenClaw gateway', { url: this.#o.url });
          for (const key of this.#subscribed)
            await this.#send(ws, 'sessions.messages.subscribe', { key }, this.#o.requestTimeoutMs);
        }
        return ws;
      } catch (err) {
        lastError = err as Error;
        if (err instanceof UnauthorizedError || err instanceof ProtocolError) {
          this.#fatal = err;
          throw err;
        }
      }
    }
    throw new TransportError(`cannot reach the OpenClaw gateway at ${this.#o.url}: ${lastError.message}`, {
      cause: lastError,
    });
  }

  /** Opens a socket and completes challenge → connect → hello-ok on it. */
  #handshake(): Promise<WebSocket> {
    const o = this.#o;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(o.url, { handshakeTimeout: o.handshakeTimeoutMs });
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new TimeoutError('OpenClaw handshake timed out')),
        o.handshakeTimeoutMs,
      );
      ws.on('error', (err) =>
        fail(new TransportError(`OpenClaw connection failed: ${err.message}`, { cause: err })),
      );
      ws.on('close', () => {
        fail(new TransportError('OpenClaw gateway closed the connection during the handshake'));
        this.#dropped(ws);
      });
      ws.on('message', (data) => {
        const frame = parse(data);
        if (!frame) return;
        if (!settled && frame.type === 'event' && frame.event === 'connect.challenge') {
          this.#send(ws, 'connect', this.#connectParams(), o.handshakeTimeoutMs).then(
            () => {
              settled = true;
              clearTimeout(timer);
              resolve(ws);
            },
            (err: Error) => fail(err),
          );
          return;
        }
        this.#dispatch(frame);
      });
    });
  }

  #connectParams(): Record<string, unknown> {
    const o = this.#o;
    const params: Record<string, unknown> = {
      minProtocol: OPENCLAW_PROTOCOL,
      maxProtocol: OPENCLAW_PROTOCOL,
      client: o.client,
      role: o.role,
      scopes: o.scopes,
      caps: [],
      userAgent: `troupe-runners/${o.client.version}`,
    };
    if (o.token !== undefined) params.auth = { token: o.token };
    return params;
  }

  #dispatch(frame: ServerFrame): void {
    if (frame.type === 'event') {
      for (const listener of this.#listeners) listener(frame);
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    this.#pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.payload);
    else pending.reject(gatewayError(frame.error));
  }

  #dropped(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    this.#failPending(new TransportError('OpenClaw connection lost'));
  }

  #failPending(error: Error): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.#pending.delete(id);
    }
  }
}

function parse(data: WebSocket.RawData): ServerFrame | undefined {
  try {
    const frame = ServerFrameSchema.safeParse(JSON.parse(data.toString()));
    return frame.success ? frame.data : undefined;
  } catch {
    return undefined;
  }
}

/** A gateway error as a Troupe error: auth failures are `UnauthorizedError`, the rest `GatewayRequestError` with the gateway's code. */
function gatewayError(error: ErrorShape | undefined): Error {
  if (!error) return new ProtocolError('OpenClaw request failed without an error');
  const details = (error.details ?? {}) as { code?: unknown };
  const detail = typeof details.code === 'string' ? details.code : '';
  const data = { code: error.code, detail };
  if (detail.startsWith('AUTH_') || /unauthori[sz]ed|auth/i.test(error.code)) {
    return new UnauthorizedError(`OpenClaw refused the connection: ${error.message}`, { data });
  }
  return new GatewayRequestError(`OpenClaw ${error.code}: ${error.message}`, {
    data,
    retryable: error.retryable === true,
  });
}
