import type { ProgressEvent, TaskProgress } from '@troupe/core';
import { createServer, type ServerOptions, type TroupeServer } from '@troupe/server';
import WebSocket from 'ws';

/** A parsed JSON response body (tests read what they expect of it). */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies as they expect them
export type Json = any;

/** A message of `WS /ws/tasks/:id`. */
export interface WsMessage {
  type: 'snapshot' | 'event' | 'lagged' | 'end';
  seq: number;
  event: ProgressEvent;
  snapshot: TaskProgress;
  run: Json;
}

/** A server listening on a free port, with helpers to call it. */
export interface TestServer extends AsyncDisposable {
  server: TroupeServer;
  url: string;
  /** Calls `path` with JSON (and the token, unless `token: null`); resolves to status + parsed body. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string | null; raw?: string },
  ): Promise<{ status: number; body: Json }>;
}

export async function startServer(options: ServerOptions = {}, token?: string): Promise<TestServer> {
  const server = await createServer({ token, logger: quiet, ...options });
  const url = await server.listen();
  return {
    server,
    url,
    async call(method, path, o = {}) {
      const t = o.token === undefined ? token : o.token;
      const headers: Record<string, string> = {};
      if (t) headers.authorization = `Bearer ${t}`;
      if (o.body !== undefined || o.raw !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, {
        method,
        headers,
        ...(o.raw !== undefined
          ? { body: o.raw }
          : o.body !== undefined
            ? { body: JSON.stringify(o.body) }
            : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** A logger that drops everything (the tests assert on responses). */
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A WebSocket client that collects every JSON message it gets. */
export interface WsWatch {
  ws: WebSocket;
  messages: WsMessage[];
  closed: Promise<{ code: number }>;
}

export function watch(
  url: string,
  path: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): WsWatch {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + path, options.protocols ?? [], {
    headers: options.headers ?? {},
  });
  const messages: WsMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  ws.on('error', () => undefined);
  return { ws, messages, closed };
}

/** The status of an HTTP response to a WebSocket upgrade that was refused (or 101). */
export function upgradeStatus(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + path, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}
