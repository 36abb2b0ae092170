import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One server-sent event: `data` is JSON-encoded unless it is a string; `event` is the optional event name. */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** What the stand-in answers to one request. */
export type StandInReply =
  /** A JSON body (default status 200). */
  | { status?: number; headers?: Record<string, string>; json: unknown }
  /** A raw body, e.g. malformed JSON (default content type `application/json`). */
  | { status?: number; headers?: Record<string, string>; body: string; contentType?: string }
  /**
   * An SSE stream; `intervalMs` between events; `cut` ends it after the
   * events without more: `end` finishes the HTTP response cleanly, `destroy`
   * kills the connection mid-body.
   */
  | { sse: SseEvent[]; headers?: Record<string, string>; intervalMs?: number; cut?: 'end' | 'destroy' }
  /** Never answers (until the client goes away or the server closes). */
  | { hang: true };

/** A request the stand-in received. */
export interface RecordedHttpRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The body, parsed as JSON when it is JSON. */
  body: unknown;
  /** Resolves when the connection of this request closed; `finished` is false when it closed before the reply was complete. */
  closed: Promise<{ finished: boolean }>;
}

/** A local HTTP server that answers model API requests from a queue of replies. */
export interface ModelServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedHttpRequest[];
  /** Queues replies, answered in order; with an empty queue the server answers 500. */
  reply(...replies: StandInReply[]): void;
  /** Stops the server and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a stand-in for a model API on 127.0.0.1 (a free port): it records
 * each request and answers with the next queued reply, in any wire format
 * (see `openaiChatWire`, `openaiResponsesWire`, `anthropicWire`). Each
 * response carries `x-request-id` and `request-id: req_<n>`.
 */
export async function startModelServer(): Promise<ModelServer> {
  const queue: StandInReply[] = [];
  const requests: RecordedHttpRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = requests.length + 1;
    let resolveClosed!: (value: { finished: boolean }) => void;
    const closed = new Promise<{ finished: boolean }>((resolve) => {
      resolveClosed = resolve;
    });
    res.on('close', () => resolveClosed({ finished: res.writableFinished }));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {}
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: { ...req.headers },
      body,
      closed,
    });
    const reply = queue.shift() ?? {
      status: 500,
      json: { error: { message: 'stand-in: no reply queued', type: 'server_error' } },
    };
    const ids = { 'x-request-id': `req_${n}`, 'request-id': `req_${n}` };
    if ('hang' in reply) return;
    if ('json' in reply) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...ids, ...reply.headers });
      res.end(JSON.stringify(reply.json));
      return;
    }
    if ('body' in reply) {
      res.writeHead(reply.status ?? 200, {
        'content-type': reply.contentType ?? 'application/json',
        ...ids,
        ...reply.headers,
      });
      res.end(reply.body);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...ids,
      ...reply.headers,
    });
    for (const event of reply.sse) {
      if (res.destroyed) return;
      if (reply.intervalMs) await new Promise((r) => setTimeout(r, reply.intervalMs));
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      const frame = `${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`;
      // Waiting for each write to be flushed means a later `destroy` loses nothing already written.
      await new Promise<void>((resolve) => res.write(frame, () => resolve()));
    }
    if (reply.cut === 'destroy') {
      res.socket?.destroy();
      return;
    }
    res.end();
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    return closing;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => {
      queue.push(...replies);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
