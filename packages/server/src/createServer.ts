import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import type { RunRepository } from '@troupe/core';
import { createLogger, type Logger, type Store, UnauthorizedError } from '@troupe/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FileRunRepository } from './FileRunRepository.js';
import { defaultGoalWorkflow } from './goalWorkflow.js';
import {
  BEARER_PROTOCOL,
  bearerOf,
  protocolTokenOf,
  queryTokenOf,
  redactUrl,
  tokenMatches,
} from './http/auth.js';
import { errorResponse } from './http/errorBody.js';
import { taskRoutes } from './http/taskRoutes.js';
import { wsRoute } from './http/wsRoute.js';
import type { LiveRunOptions } from './LiveRun.js';
import { MemoryRunRepository } from './MemoryRunRepository.js';
import { openApiDocument } from './openapi.js';
import { RunService } from './RunService.js';
import type { WsClient, WsClientLimits } from './WsClient.js';
import type { GoalWorkflow, ServerWorkflow } from './workflow.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Where runs are kept (default: a {@link FileRunRepository} in `storeDir`, else in memory). Closed with the server. */
  repository?: RunRepository;
  /** The directory of the default {@link FileRunRepository}. */
  storeDir?: string;
  /** Workflows a client can start by name (`POST /api/v1/tasks { workflow }`). */
  workflows?: Readonly<Record<string, ServerWorkflow>>;
  /** How a goal runs (default: {@link defaultGoalWorkflow}, orchestrate with a Planner and two ReAct executors). */
  goal?: GoalWorkflow;
  /** The bearer token every route and the WebSocket handshake need (default `TROUPE_API_TOKEN`; unset or empty: no auth). */
  token?: string | undefined;
  /** Origins allowed to call the API from a browser (CORS); default none (same origin only). */
  corsOrigins?: readonly string[];
  /** Largest request body, bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** A built dashboard to serve at `/` (its `index.html` and assets), when the directory exists. */
  dashboardDir?: string | undefined;
  /** The store of each run's runtime and journal (default: in memory). */
  runStore?: (runId: string) => Store | Promise<Store>;
  /** Bounds of each WebSocket client's queue. */
  ws?: WsClientLimits;
  /** Tuning of live runs (event ring, record updates). */
  live?: LiveRunOptions;
  /** Where the server logs (default: core's `createLogger({ name: 'server' })`); tokens and bodies are never logged. */
  logger?: Logger;
}

/** A created server: listen, then close (cancels live runs, closes the repository). */
export interface TroupeServer extends AsyncDisposable {
  /** The Fastify instance (add routes or hooks before `listen`). */
  readonly app: FastifyInstance;
  /** Starts listening (default 127.0.0.1, port 0: a free one); resolves to the base URL, e.g. `http://127.0.0.1:43121`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Cancels the live runs (waiting a bounded time for them), stops listening, closes the repository. Idempotent. */
  close(): Promise<void>;
  /** The WebSocket clients now: the run each watches, bytes held for it (queue + socket buffer), times it lagged. */
  clients(): Array<{ runId: string; queuedBytes: number; bufferedBytes: number; lagCount: number }>;
}

/**
 * Creates Troupe's HTTP + WebSocket server (Fastify 5): the `/api/v1/tasks` API, `WS /ws/tasks/:id`,
 * `GET /api/v1/openapi.json`, bearer auth, CORS, a body limit, and the dashboard at `/`.
 * @example
 * const server = await createServer({ storeDir: '.troupe/server' });
 * const url = await server.listen({ port: 7070 });
 */
export async function createServer(options: ServerOptions = {}): Promise<TroupeServer> {
  const logger = options.logger ?? createLogger({ name: 'server' });
  const token = 'token' in options ? options.token : process.env.TROUPE_API_TOKEN;
  const repo =
    options.repository ??
    (options.storeDir === undefined
      ? new MemoryRunRepository()
      : await FileRunRepository.open({ dir: options.storeDir, logger }));
  const runs = new RunService({
    ...options.live,
    repository: repo,
    logger,
    goal: options.goal ?? defaultGoalWorkflow,
    workflows: options.workflows ?? {},
    ...(options.runStore === undefined ? {} : { runStore: options.runStore }),
  });
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 1024 * 1024 });

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorResponse(err);
    if (status >= 500)
      logger.error('request failed', { method: req.method, url: redactUrl(req.url), error: err });
    void reply.code(status).send(body);
  });
  app.addHook('onResponse', async (req, reply) => {
    logger.debug('request', {
      method: req.method,
      url: redactUrl(req.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  await app.register(cors, {
    origin: options.corsOrigins ? [...options.corsOrigins] : false,
    methods: ['GET', 'POST', 'DELETE'],
  });
  // Before the auth hook: its onRequest hook marks upgrades, so a refused one gets its socket closed.
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      handleProtocols: (protocols) => {
        for (const p of protocols) if (!p.startsWith(BEARER_PROTOCOL)) return p;
        return protocols.values().next().value ?? false;
      },
    },
  });

  if (token) {
    app.addHook('onRequest', async (req) => {
      const path = req.url.split('?', 1)[0] ?? '';
      const ws = path.startsWith('/ws/');
      if (!ws && !path.startsWith('/api/')) return;
      const given =
        bearerOf(req.headers) ?? (ws ? (protocolTokenOf(req.headers) ?? queryTokenOf(req.url)) : undefined);
      if (!tokenMatches(token, given)) {
        throw new UnauthorizedError(
          given === undefined ? 'a bearer token is required' : 'wrong bearer token',
        );
      }
    });
  }
  app.get('/api/v1/openapi.json', async () => openApiDocument());
  taskRoutes(app, runs);
  const clients = new Map<WsClient, string>();
  wsRoute(app, { runs, repo, limits: options.ws ?? {}, logger, clients });

  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0];
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } });
  };
  const dashboard = options.dashboardDir;
  if (dashboard !== undefined && existsSync(join(dashboard, 'index.html'))) {
    await app.register(fastifyStatic, { root: dashboard, prefix: '/', wildcard: true });
    app.setNotFoundHandler((req, reply) => {
      const page = req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/ws/');
      return page ? reply.sendFile('index.html') : notFound(req, reply);
    });
  } else {
    app.setNotFoundHandler(notFound);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await runs.close();
      for (const client of clients.keys()) client.terminate();
      await app.close();
      await repo.close();
    })();
    return closing;
  };
  return {
    app,
    async listen(listen = {}) {
      const host = listen.host ?? '127.0.0.1';
      if (!token && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
        logger.warn(
          'listening beyond loopback without TROUPE_API_TOKEN: anyone who can reach it controls runs',
          { host },
        );
      }
      await app.listen({ port: listen.port ?? 0, host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : listen.port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    close,
    clients: () =>
      [...clients].map(([client, runId]) => ({
        runId,
        queuedBytes: client.queuedBytes,
        bufferedBytes: client.bufferedBytes,
        lagCount: client.lagCount,
      })),
    [Symbol.asyncDispose]: close,
  };
}
