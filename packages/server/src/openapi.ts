import { ProgressEventSchema } from '@troupe/core';
import { z } from 'zod';
import {
  AnswerBodySchema,
  CreateTaskBodySchema,
  ErrorBodySchema,
  EventsQuerySchema,
  ListTasksQuerySchema,
  MessageBodySchema,
  RunRecordSchema,
} from './schemas.js';

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (s: Json): Json => ({ content: { 'application/json': { schema: s } } });
const error = (description: string): Json => ({ description, ...json(ref('Error')) });

/** Query parameters of an object schema, as OpenAPI `parameters`. */
function queryParams(s: z.ZodType): Json[] {
  const props = (schema(s, 'input').properties ?? {}) as Record<string, Json>;
  return Object.entries(props).map(([name, p]) => ({
    name,
    in: 'query',
    required: false,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: p,
  }));
}

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The task (run) id.',
};
const sidParam = {
  name: 'sid',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The sub-task id.',
};

/** Operation bits every route shares: its errors. */
function op(summary: string, extra: Json, responses: Json, params: Json[] = []): Json {
  return {
    summary,
    ...(params.length ? { parameters: params } : {}),
    ...extra,
    responses: {
      ...responses,
      '400': error('Invalid input: `error.issues` names each field.'),
      '401': error('Missing or wrong bearer token.'),
    },
  };
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate
 * requests (`z.toJSONSchema`). Served at `GET /api/v1/openapi.json`.
 */
export function openApiDocument(options: { version?: string } = {}): Json {
  const run = json(ref('RunRecord'));
  const notFound = error('No such task.');
  const conflict = error('Not possible in the run’s state.');
  return {
    openapi: '3.1.0',
    info: { title: 'Troupe server', version: options.version ?? '0.1.0' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'TROUPE_API_TOKEN' } },
      schemas: {
        RunRecord: schema(RunRecordSchema, 'output'),
        Error: schema(ErrorBodySchema, 'output'),
        ProgressEvent: schema(ProgressEventSchema, 'output'),
        TaskProgress: {
          type: 'object',
          description: "A run's progress snapshot (`TaskProgress` of @troupe/core).",
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/tasks': {
        post: op(
          'Start a goal or a registered workflow',
          { requestBody: { required: true, ...json(schema(CreateTaskBodySchema, 'input')) } },
          { '201': { description: 'Started.', ...run } },
        ),
        get: op(
          'List tasks, newest first',
          {},
          {
            '200': {
              description: 'A page of tasks.',
              ...json({
                type: 'object',
                properties: {
                  runs: { type: 'array', items: ref('RunRecord') },
                  nextCursor: { type: 'string' },
                },
                required: ['runs'],
              }),
            },
          },
          queryParams(ListTasksQuerySchema),
        ),
      },
      '/api/v1/tasks/{id}': {
        get: op('A task', {}, { '200': { description: 'The task.', ...run }, '404': notFound }, [idParam]),
        delete: op(
          'Cancel a task',
          {},
          { '200': { description: 'Cancelled (or cancelling).', ...run }, '404': notFound, '409': conflict },
          [idParam],
        ),
      },
      '/api/v1/tasks/{id}/progress': {
        get: op(
          'Its progress snapshot',
          {},
          { '200': { description: 'The snapshot.', ...json(ref('TaskProgress')) }, '404': notFound },
          [idParam],
        ),
      },
      '/api/v1/tasks/{id}/events': {
        get: op(
          'Its event log after a seq',
          {},
          {
            '200': {
              description: 'A page of events.',
              ...json({
                type: 'object',
                properties: {
                  events: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { seq: { type: 'integer' }, event: ref('ProgressEvent') },
                    },
                  },
                  nextAfter: { type: 'integer' },
                },
                required: ['events'],
              }),
            },
            '404': notFound,
          },
          [idParam, ...queryParams(EventsQuerySchema)],
        ),
      },
      '/api/v1/tasks/{id}/pause': {
        post: op(
          'Pause a task',
          {},
          { '200': { description: 'Paused.', ...run }, '404': notFound, '409': conflict },
          [idParam],
        ),
      },
      '/api/v1/tasks/{id}/resume': {
        post: op(
          'Resume a task',
          {},
          { '200': { description: 'Resumed.', ...run }, '404': notFound, '409': conflict },
          [idParam],
        ),
      },
      '/api/v1/tasks/{id}/subtasks/{sid}/messages': {
        post: op(
          'Send a message to the sub-task’s runner session (steer)',
          { requestBody: { required: true, ...json(schema(MessageBodySchema, 'input')) } },
          { '202': { description: 'Sent.' }, '404': notFound, '409': conflict },
          [idParam, sidParam],
        ),
      },
      '/api/v1/tasks/{id}/subtasks/{sid}/answer': {
        post: op(
          'Answer a suspended sub-task',
          { requestBody: { required: true, ...json(schema(AnswerBodySchema, 'input')) } },
          { '202': { description: 'Answered.' }, '404': notFound, '409': conflict },
          [idParam, sidParam],
        ),
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
    },
  };
}
