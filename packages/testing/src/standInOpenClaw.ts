import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A run on the stand-in OpenClaw gateway. */
export interface StandInOpenClawRun {
  runId: string;
  key: string;
  message: string;
  status: 'running' | 'ok' | 'error' | 'aborted';
  startedAt: number;
  endedAt?: number;
}

/** Options of {@link startStandInOpenClaw}. */
export interface StandInOpenClawOptions {
  /** The shared gateway token it accepts (default `test-token`). */
  token?: string;
  /** Ms between a run's steps (default 40). */
  stepMs?: number;
}

/** A running stand-in OpenClaw gateway; `await using` closes it. */
export interface StandInOpenClaw extends AsyncDisposable {
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** Runs by id. */
  readonly runs: Map<string, StandInOpenClawRun>;
  /** Every request method received (after a successful connect), in order. */
  readonly methods: string[];
  /** Every frame received, raw (to check what clients sent). */
  readonly frames: string[];
  /** Connections that completed the handshake so far. */
  connects(): number;
  /** Drops every connection abruptly (no close frame), as a network failure would. */
  dropConnections(): void;
  close(): Promise<void>;
}

type Frame = { type: 'req'; id: string; method: string; params?: Record<string, unknown> };

/**
 * Starts a stand-in OpenClaw gateway (protocol v4, docs/gateway/protocol.md in openclaw/openclaw)
 * on a free port: `connect.challenge` event first; a `connect` request whose `auth.token` is
 * wrong gets an error `res` (details.code `AUTH_TOKEN_MISMATCH`) and the socket is closed;
 * then `sessions.create`, `sessions.messages.subscribe`, `sessions.send` (starts a run that emits
 * `session.message` and `session.tool` events), `agent.wait`, `sessions.abort`. Runs live in the
 * gateway, so they go on across dropped connections. `scenario:fail` in a message fails its run,
 * `scenario:hang` keeps it running.
 */
export async function startStandInOpenClaw(options: StandInOpenClawOptions = {}): Promise<StandInOpenClaw> {
  const token = options.token ?? 'test-token';
  const stepMs = options.stepMs ?? 40;
  const runs = new Map<string, StandInOpenClawRun>();
  const waiters = new Map<string, Set<() => void>>();
  const subscribers = new Map<string, Set<WebSocket>>();
  const methods: string[] = [];
  const frames: string[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let connects = 0;
  const seq = new WeakMap<WebSocket, number>();

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as AddressInfo).port;

  const send = (ws: WebSocket, frame: Record<string, unknown>): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const event = (key: string, name: string, payload: Record<string, unknown>): void => {
    for (const ws of subscribers.get(key) ?? []) {
      const next = (seq.get(ws) ?? 0) + 1;
      seq.set(ws, next);
      send(ws, { type: 'event', event: name, payload: { sessionKey: key, ...payload }, seq: next });
    }
  };
  const endRun = (run: StandInOpenClawRun, status: StandInOpenClawRun['status']): void => {
    if (run.status !== 'running') return;
    run.status = status;
    run.endedAt = Date.now();
    for (const wake of waiters.get(run.runId) ?? []) wake();
  };
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const play = (run: StandInOpenClawRun): void => {
    const fail = run.message.includes('scenario:fail');
    const steps: Array<() => void> = [
      () =>
        event(run.key, 'session.message', {
          runId: run.runId,
          message: { role: 'user', content: [{ type: 'text', text: run.message }] },
        }),
      () =>
        event(run.key, 'session.tool', {
          runId: run.runId,
          stream: 'tool',
          data: { phase: 'start', name: 'bash', toolCallId: 'call_1', args: { command: 'ls' } },
        }),
      () =>
        event(run.key, 'session.tool', {
          runId: run.runId,
          stream: 'tool',
          data: { phase: 'update', name: 'bash', toolCallId: 'call_1' },
        }),
      () =>
        event(run.key, 'session.tool', {
          runId: run.runId,
          stream: 'tool',
          data: {
            phase: 'result',
            name: 'bash',
            toolCallId: 'call_1',
            isError: fail,
            result: { exitCode: fail ? 1 : 0 },
          },
        }),
      () =>
        event(run.key, 'session.message', {
          runId: run.runId,
          message: { role: 'assistant', content: [{ type: 'text', text: `answer to: ${run.message}` }] },
        }),
    ];
    steps.forEach((step, i) => {
      later(stepMs * (i + 1), () => {
        if (run.status === 'running') step();
      });
    });
    if (!run.message.includes('scenario:hang'))
      later(stepMs * (steps.length + 1), () => endRun(run, fail ? 'error' : 'ok'));
  };

  const handle = (ws: WebSocket, frame: Frame) => {
    methods.push(frame.method);
    const ok = (payload: unknown): void => send(ws, { type: 'res', id: frame.id, ok: true, payload });
    const fail = (code: string, message: string): void =>
      send(ws, { type: 'res', id: frame.id, ok: false, error: { code, message } });
    const p = frame.params ?? {};
    switch (frame.method) {
      case 'sessions.create': {
        const key = `agent:main:${typeof p.key === 'string' ? p.key : `dashboard:${randomUUID()}`}`;
        return ok({ ok: true, key, sessionId: randomUUID(), entry: { label: p.label }, runStarted: false });
      }
      case 'sessions.messages.subscribe': {
        const key = String(p.key);
        if (!subscribers.has(key)) subscribers.set(key, new Set());
        subscribers.get(key)?.add(ws);
        return ok({ key });
      }
      case 'sessions.send': {
        const run: StandInOpenClawRun = {
          runId: randomUUID(),
          key: String(p.key),
          message: String(p.message),
          status: 'running',
          startedAt: Date.now(),
        };
        runs.set(run.runId, run);
        play(run);
        return ok({ runId: run.runId, status: 'started' });
      }
      case 'agent.wait': {
        const run = runs.get(String(p.runId));
        if (!run) return fail('INVALID_REQUEST', 'unknown run');
        const reply = (): void => {
          if (run.status === 'running') ok({ runId: run.runId, status: 'timeout' });
          else
            ok({
              runId: run.runId,
              status: run.status === 'ok' ? 'ok' : 'error',
              startedAt: run.startedAt,
              endedAt: run.endedAt,
              error:
                run.status === 'ok' ? undefined : run.status === 'aborted' ? 'aborted' : 'tool failed: bash',
            });
        };
        if (run.status !== 'running') return reply();
        const set = waiters.get(run.runId) ?? new Set();
        waiters.set(run.runId, set);
        const wake = (): void => {
          set.delete(wake);
          reply();
        };
        set.add(wake);
        later(typeof p.timeoutMs === 'number' ? p.timeoutMs : 30_000, () => set.has(wake) && wake());
        return;
      }
      case 'sessions.abort': {
        const run = runs.get(String(p.runId));
        if (run) endRun(run, 'aborted');
        return ok({ ok: true, aborted: run !== undefined });
      }
      default:
        return fail('INVALID_REQUEST', `unknown method ${frame.method}`);
    }
  };

  wss.on('connection', (ws) => {
    let authed = false;
    ws.on('error', () => {});
    send(ws, { type: 'event', event: 'connect.challenge', payload: { nonce: randomUUID(), ts: Date.now() } });
    ws.on('message', (data) => {
      const text = data.toString();
      frames.push(text);
      const frame = JSON.parse(text) as Frame;
      if (authed) return handle(ws, frame);
      const params = frame.params ?? {};
      const auth = (params.auth ?? {}) as { token?: unknown };
      if (frame.method !== 'connect') {
        send(ws, {
          type: 'res',
          id: frame.id,
          ok: false,
          error: { code: 'INVALID_REQUEST', message: 'first frame must be connect' },
        });
        return ws.close(1008);
      }
      if (auth.token !== token) {
        send(ws, {
          type: 'res',
          id: frame.id,
          ok: false,
          error: {
            code: 'INVALID_REQUEST',
            message: 'unauthorized: gateway token mismatch',
            details: {
              code: 'AUTH_TOKEN_MISMATCH',
              canRetryWithDeviceToken: false,
              recommendedNextStep: 'update_auth_credentials',
            },
          },
        });
        return ws.close(1008, 'unauthorized');
      }
      if (Number(params.minProtocol) > 4 || Number(params.maxProtocol) < 4) {
        send(ws, {
          type: 'res',
          id: frame.id,
          ok: false,
          error: { code: 'INVALID_REQUEST', message: 'protocol mismatch' },
        });
        return ws.close(1002);
      }
      authed = true;
      connects += 1;
      send(ws, {
        type: 'res',
        id: frame.id,
        ok: true,
        payload: {
          type: 'hello-ok',
          protocol: 4,
          server: { version: 'stand-in', connId: randomUUID() },
          features: {
            methods: [
              'sessions.create',
              'sessions.messages.subscribe',
              'sessions.send',
              'agent.wait',
              'sessions.abort',
            ],
            events: ['session.message', 'session.tool'],
          },
          snapshot: {},
          auth: { role: 'operator', scopes: params.scopes ?? [] },
          policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 15000 },
        },
      });
    });
    ws.on('close', () => {
      for (const set of subscribers.values()) set.delete(ws);
    });
  });

  const close = async (): Promise<void> => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  return {
    url: `ws://127.0.0.1:${port}`,
    runs,
    methods,
    frames,
    connects: () => connects,
    dropConnections: () => {
      for (const ws of wss.clients) ws.terminate();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
