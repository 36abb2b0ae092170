import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@troupe/core';
import { onAbortOf } from './abort.js';
import type { UserChannel, UserPrompt } from './channel.js';

/** Options of {@link startHttpChannel}. */
export interface HttpChannelOptions {
  /** Port to listen on (default 0: a free one). */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** When set, every request needs `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** Largest answer body accepted, bytes (default 64 KiB). */
  maxBodyBytes?: number;
}

/** A {@link UserChannel} served over HTTP; `close()` stops the server and withdraws nothing (asks wait for their signal). */
export interface HttpChannel extends UserChannel, AsyncDisposable {
  /** `http://host:port`. */
  readonly url: string;
  /** The prompts waiting for an answer, oldest first. */
  pending(): UserPrompt[];
  close(): Promise<void>;
}

interface Waiting {
  prompt: UserPrompt;
  resolve(answer: string): void;
}

/**
 * A channel a web page, a bot or `curl` answers: `GET /prompts` lists the
 * open prompts as JSON; `POST /prompts/<id>` with `{"answer": "..."}` answers
 * one (204; 404 when it is not open, 400 for a bad body). An aborted ask
 * leaves the list. Node's own `http` server, nothing else.
 * @example
 * await using channel = await startHttpChannel({ token: process.env.TROUPE_USER_TOKEN });
 * // curl -H "authorization: Bearer $T" $URL/prompts; curl -d '{"answer":"yes"}' $URL/prompts/<id>
 */
export async function startHttpChannel(options: HttpChannelOptions = {}): Promise<HttpChannel> {
  const open = new Map<string, Waiting>();
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, 401, { error: 'unauthorized' });
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/prompts') {
      return send(
        res,
        200,
        [...open.values()].map((w) => w.prompt),
      );
    }
    const match = /^\/prompts\/([^/]+)$/.exec(path);
    if (req.method !== 'POST' || !match) return send(res, 404, { error: 'not found' });
    const waiting = open.get(decodeURIComponent(match[1]!));
    if (!waiting) return send(res, 404, { error: 'no such open prompt' });
    const answer = parseAnswer(await readBody(req, maxBody));
    if (answer === undefined) return send(res, 400, { error: 'expected {"answer": string}' });
    open.delete(waiting.prompt.id);
    waiting.resolve(answer);
    res.writeHead(204).end();
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    return closing;
  };
  return {
    url: `http://${address.address}:${address.port}`,
    pending: () => [...open.values()].map((w) => structuredClone(w.prompt)),
    ask(prompt, { signal }) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (open.has(prompt.id)) {
        return Promise.reject(
          new ValidationError(`prompt '${prompt.id}' is already open`, {
            issues: [{ path: 'id', message: 'duplicate prompt id' }],
          }),
        );
      }
      return new Promise<string>((resolve, reject) => {
        const stop = onAbortOf(signal, () => {
          open.delete(prompt.id);
          reject(signal.reason);
        });
        open.set(prompt.id, {
          prompt: structuredClone(prompt),
          resolve: (answer) => {
            stop();
            resolve(answer);
          },
        });
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseAnswer(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const value = JSON.parse(body) as { answer?: unknown };
    return typeof value?.answer === 'string' ? value.answer : undefined;
  } catch {
    return undefined;
  }
}
