import type { FastifyInstance } from 'fastify';
import type { RunService } from '../RunService.js';
import {
  AnswerBodySchema,
  CreateTaskBodySchema,
  EventsQuerySchema,
  ListTasksQuerySchema,
  MessageBodySchema,
  SubtaskParamsSchema,
  TaskParamsSchema,
} from '../schemas.js';
import { parse } from './parse.js';

/** Registers the `/api/v1/tasks` routes on `app`, driving `runs`. */
export function taskRoutes(app: FastifyInstance, runs: RunService): void {
  app.post('/api/v1/tasks', async (req, reply) => {
    const body = parse(CreateTaskBodySchema, req.body, 'body');
    return reply.code(201).send(await runs.start(body));
  });

  app.get('/api/v1/tasks', async (req) => {
    const q = parse(ListTasksQuerySchema, req.query, 'query');
    return runs.list({
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    });
  });

  app.get('/api/v1/tasks/:id', async (req) => runs.get(parse(TaskParamsSchema, req.params, 'params').id));

  app.get('/api/v1/tasks/:id/progress', async (req) =>
    runs.progress(parse(TaskParamsSchema, req.params, 'params').id),
  );

  app.get('/api/v1/tasks/:id/events', async (req) => {
    const { id } = parse(TaskParamsSchema, req.params, 'params');
    const q = parse(EventsQuerySchema, req.query, 'query');
    return runs.events(id, {
      ...(q.after === undefined ? {} : { after: q.after }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
    });
  });

  app.post('/api/v1/tasks/:id/pause', async (req) =>
    runs.pause(parse(TaskParamsSchema, req.params, 'params').id),
  );

  app.post('/api/v1/tasks/:id/resume', async (req) =>
    runs.resume(parse(TaskParamsSchema, req.params, 'params').id),
  );

  app.delete('/api/v1/tasks/:id', async (req) =>
    runs.cancel(parse(TaskParamsSchema, req.params, 'params').id),
  );

  app.post('/api/v1/tasks/:id/subtasks/:sid/messages', async (req, reply) => {
    const { id, sid } = parse(SubtaskParamsSchema, req.params, 'params');
    const { text } = parse(MessageBodySchema, req.body, 'body');
    await runs.message(id, sid, text);
    return reply.code(202).send({ accepted: true });
  });

  app.post('/api/v1/tasks/:id/subtasks/:sid/answer', async (req, reply) => {
    const { id, sid } = parse(SubtaskParamsSchema, req.params, 'params');
    const { answer } = parse(AnswerBodySchema, req.body, 'body');
    await runs.answer(id, sid, answer);
    return reply.code(202).send({ accepted: true });
  });
}
