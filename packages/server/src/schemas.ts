import { RUN_STATUSES } from '@troupe/core';
import { z } from 'zod';

/** Options of a task start (`POST /api/v1/tasks` `options`). */
export const TaskOptionsSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Name of the run shown in progress (default: the goal or workflow).'),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Model spec 'provider:model' (default: TROUPE_MODEL, a key's provider, else scripted)."),
    maxConcurrency: z.number().int().min(1).max(1000).optional().describe('Sub-tasks running at once.'),
    budget: z
      .object({
        tokens: z.number().int().positive().optional().describe('Most tokens the run may use.'),
        costUsd: z.number().positive().optional().describe('Most USD the run may spend.'),
      })
      .strict()
      .optional(),
    input: z.unknown().optional().describe("A registered workflow's input (JSON)."),
  })
  .strict();

/** Body of `POST /api/v1/tasks`: a goal (orchestrated) or a registered workflow's name. */
export const CreateTaskBodySchema = z
  .object({
    goal: z
      .string()
      .trim()
      .min(1)
      .max(20_000)
      .optional()
      .describe('What to do, in words: planned and orchestrated.'),
    workflow: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The name of a workflow registered with the server.'),
    options: TaskOptionsSchema.optional(),
  })
  .strict()
  .refine((b) => (b.goal === undefined) !== (b.workflow === undefined), {
    message: 'give exactly one of goal or workflow',
    path: ['goal'],
  });

/** What `POST /api/v1/tasks` accepts. */
export type CreateTaskBody = z.output<typeof CreateTaskBodySchema>;
/** The `options` of a task start. */
export type TaskOptions = z.output<typeof TaskOptionsSchema>;

const StatusSchema = z.enum(RUN_STATUSES);

/**
 * A query parameter holding a plain decimal integer in `[min, max]` (`7`, not `0x7`, `7e0`,
 * ` 7` or `7.0`, which `Number()` would all accept).
 */
function decimal(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a decimal integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** Query of `GET /api/v1/tasks`: `status=running,paused&limit=50&cursor=…`. */
export const ListTasksQuerySchema = z
  .object({
    status: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined || s === '') return undefined;
        const parts = s.split(',').map((p) => p.trim());
        const bad = parts.filter((p) => !StatusSchema.safeParse(p).success);
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown status '${bad[0]}' (one of ${RUN_STATUSES.join(', ')})`,
          });
          return z.NEVER;
        }
        return parts as z.output<typeof StatusSchema>[];
      })
      .describe(`Comma-separated statuses: ${RUN_STATUSES.join(', ')}.`),
    limit: decimal(1, 500).optional().describe('Page size (default 50, max 500).'),
    cursor: z.string().max(1000).optional().describe("The previous page's nextCursor."),
  })
  .strict();

/** Query of `GET /api/v1/tasks/:id/events`. */
export const EventsQuerySchema = z
  .object({
    after: decimal(0).optional().describe('Events with a greater seq (default 0).'),
    limit: decimal(1, 5000).optional().describe('Page size (default 500, max 5000).'),
  })
  .strict();

/** Query of `WS /ws/tasks/:id`. */
export const WsQuerySchema = z.object({
  after: decimal(0).optional(),
  token: z.string().optional(),
});

/** Path parameters `:id` (and `:sid`). */
export const TaskParamsSchema = z.object({ id: z.string().min(1).max(128) });
export const SubtaskParamsSchema = z.object({
  id: z.string().min(1).max(128),
  sid: z.string().min(1).max(512),
});

/** Body of `POST …/subtasks/:sid/messages`: text for the sub-task's runner session. */
export const MessageBodySchema = z.object({ text: z.string().min(1).max(100_000) }).strict();
/** Body of `POST …/subtasks/:sid/answer`: the answer to the sub-task's question. */
export const AnswerBodySchema = z
  .object({ answer: z.unknown() })
  .strict()
  .refine((b) => 'answer' in b, {
    message: 'answer is required',
    path: ['answer'],
  });

/** A run record as the API returns it. */
export const RunRecordSchema = z.object({
  id: z.string(),
  goal: z.string(),
  workflow: z.string().optional(),
  status: StatusSchema,
  createdAt: z.number().describe('ms since the epoch'),
  updatedAt: z.number().describe('ms since the epoch'),
  progress: z.number().min(0).max(1),
  costUsd: z.number().describe('USD'),
  tokens: z.object({ input: z.number(), output: z.number() }),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** The error body of every failed request. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
