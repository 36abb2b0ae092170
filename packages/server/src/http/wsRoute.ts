import type { Logger, RunRepository } from '@troupe/core';
import type { FastifyInstance } from 'fastify';
import type { RunService } from '../RunService.js';
import { TaskParamsSchema, WsQuerySchema } from '../schemas.js';
import { WsClient, type WsClientLimits } from '../WsClient.js';
import { redactUrl } from './auth.js';
import { followStored } from './followStored.js';
import { parse } from './parse.js';

/**
 * Registers `WS /ws/tasks/:id?after=<seq>`: a snapshot (or the events after `after` while the
 * server still has them), then every event with its seq, `lagged` + a fresh snapshot when the
 * client fell behind its queue, and `end` when the run finished. 404 before the upgrade for an
 * unknown run, 400 for a bad `after`.
 */
export function wsRoute(
  app: FastifyInstance,
  deps: {
    runs: RunService;
    repo: RunRepository;
    limits: WsClientLimits;
    logger: Logger;
    /** The connected clients, by the run they watch. */
    clients: Map<WsClient, string>;
  },
): void {
  const { runs, repo, limits, logger, clients } = deps;
  app.get(
    '/ws/tasks/:id',
    {
      websocket: true,
      preValidation: async (req) => {
        parse(WsQuerySchema, req.query, 'query');
        await runs.get(parse(TaskParamsSchema, req.params, 'params').id);
      },
    },
    (socket, req) => {
      const { id } = parse(TaskParamsSchema, req.params, 'params');
      const { after } = parse(WsQuerySchema, req.query, 'query');
      let closed = false;
      logger.debug('websocket open', { url: redactUrl(req.url), runId: id });
      const live = runs.live(id);
      // A lagged client gets a fresh snapshot (the final one once the run ended). A stored run's
      // follower waits for the client between pages, so it does not lag; if it did, the client
      // is told to reconnect (1013, with `after`).
      const client: WsClient = new WsClient(
        socket,
        () => {
          if (live) live.exactSnapshot((seq, frame) => client.pushSnapshot(seq, frame));
          else void client.close(1013, 'lagged: reconnect with after', false);
        },
        limits,
      );
      clients.set(client, id);
      socket.on('close', () => {
        closed = true;
        clients.delete(client);
        live?.unsubscribe(client);
        client.dispose();
      });
      socket.on('error', () => undefined);
      if (live) {
        live.subscribe(client, after);
        return;
      }
      followStored({
        client,
        runs,
        repo,
        id,
        after,
        pageSize: Math.min(500, limits.maxQueue ?? 1000),
        closed: () => closed,
      }).catch((err: unknown) => {
        logger.warn('cannot serve stored run', { runId: id, error: err });
        void client.close(1011, 'cannot read the run', false);
      });
    },
  );
}
