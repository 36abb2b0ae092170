import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A session on the stand-in gateway. */
export interface StandInGatewaySession {
  id: string;
  prompt: string;
  status: 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
  events: Array<Record<string, unknown> & { seq: number }>;
  received: string[];
}

/** Options of {@link startStandInGateway}. */
export interface StandInGatewayOptions {
  /** The bearer token it accepts (default `test-token`). */
  token?: string;
  /** Ms between a session's steps (default 40). */
  stepMs?: number;
}

/** A running stand-in HTTP sessions gateway; `await using` closes it. */
export interface StandInGateway extends AsyncDisposable {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Sessions by id. */
  readonly sessions: Map<string, StandInGatewaySession>;
  /** Every request: method, path and whether it carried the right token. */
  readonly requests: Array<{ path: string; authorized: boolean }>;
  /** Drops a session as if the gateway lost it. */
  forget(id: string): void;
  close(): Promise<void>;
}

/**
 * Starts a stand-in for the TaskGroup note's HTTP sessions gateway (plan B) on a free port:
 * `POST /v1/sessions/spawn`, `/v1/sessions/list` (status plus events after a cursor),
 * `/v1/sessions/{id}/cancel|send|pause|resume`, bearer-token auth (401 otherwise). A session
 * steps through log, tool, progress, tokens and artifact events; `scenario:fail` in the prompt
 * makes it fail, `scenario:hang` keeps it running.
 */
export async function startStandInGateway(options: StandInGatewayOptions = {}): Promise<StandInGateway> {
  const token = options.token ?? 'test-token';
  const stepMs = options.stepMs ?? 40;
  const sessions = new Map<string, StandInGatewaySession>();
  const requests: Array<{ path: string; authorized: boolean }> = [];
  const timers = new Set<ReturnType<typeof setInterval>>();

  const run = (s: StandInGatewaySession): void => {
    const fail = s.prompt.includes('scenario:fail');
    const hang = s.prompt.includes('scenario:hang');
    const script: Array<Record<string, unknown>> = [
      { type: 'log', level: 'info', message: `working on: ${s.prompt.slice(0, 40)}` },
      { type: 'tool', tool: 'Bash', call_id: 'c1', status: 'started' },
      { type: 'tool', tool: 'Bash', call_id: 'c1', status: fail ? 'failed' : 'succeeded' },
      { type: 'progress', percent: 50, step: 'half way' },
      { type: 'tokens', input: 120, output: 30 },
      { type: 'artifact', path: 'out/report.md' },
      { type: 'progress', percent: 100, step: 'done' },
    ];
    let i = 0;
    const timer = setInterval(() => {
      if (s.status !== 'running') return;
      const step = script[i++];
      if (step) s.events.push({ seq: s.events.length + 1, ...step });
      else if (!hang) {
        s.status = fail ? 'failed' : 'completed';
        clearInterval(timer);
        timers.delete(timer);
      }
    }, stepMs);
    timers.add(timer);
  };

  const view = (s: StandInGatewaySession, after: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      id: s.id,
      status: s.status,
      events: s.events.filter((e) => e.seq > after),
    };
    if (s.status === 'completed') {
      out.result = `report for: ${s.prompt}`;
      out.usage = { input_tokens: 120, output_tokens: 30 };
      out.cost_usd = 0.01;
      out.artifacts = ['out/report.md'];
      out.session_id = `agent-${s.id}`;
    }
    if (s.status === 'failed') out.error = { code: 'tool_failed', message: 'Bash failed' };
    if (s.status === 'cancelled') out.error = { code: 'cancelled', message: 'cancelled by client' };
    return out;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const authorized = req.headers.authorization === `Bearer ${token}`;
    requests.push({ path, authorized });
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!authorized) return reply(401, { error: 'unauthorized' });
    if (req.method !== 'POST') return reply(405, { error: 'POST only' });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    if (path === '/v1/sessions/spawn') {
      if (typeof body.prompt !== 'string') return reply(400, { error: 'prompt required' });
      const s: StandInGatewaySession = {
        id: randomUUID(),
        prompt: body.prompt,
        status: 'running',
        events: [],
        received: [],
      };
      sessions.set(s.id, s);
      run(s);
      return reply(200, { session_id: s.id });
    }
    if (path === '/v1/sessions/list') {
      const ids = (body.session_ids as string[] | undefined) ?? [...sessions.keys()];
      const after = (body.after as Record<string, number> | undefined) ?? {};
      const listed = ids.flatMap((id) => {
        const s = sessions.get(id);
        return s ? [view(s, after[id] ?? 0)] : [];
      });
      return reply(200, { sessions: listed });
    }
    const action = /^\/v1\/sessions\/([^/]+)\/(cancel|send|pause|resume)$/.exec(path);
    const s = action ? sessions.get(decodeURIComponent(action[1] as string)) : undefined;
    if (!action || !s) return reply(404, { error: 'not found' });
    const verb = action[2];
    if (verb === 'cancel' && (s.status === 'running' || s.status === 'paused')) s.status = 'cancelled';
    if (verb === 'pause' && s.status === 'running') s.status = 'paused';
    if (verb === 'resume' && s.status === 'paused') s.status = 'running';
    if (verb === 'send') s.received.push(String(body.text));
    return reply(200, { ok: true });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const close = async (): Promise<void> => {
    for (const timer of timers) clearInterval(timer);
    timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    requests,
    forget: (id) => {
      sessions.delete(id);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
