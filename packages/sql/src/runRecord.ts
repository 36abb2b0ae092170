import { RUN_STATUSES, type RunRecord, ValidationError } from '@troupe/core';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { z } from 'zod';
import type { RunRow } from './schema.js';

type RunInsert = Insertable<RunRow>;
type RunUpdate = Omit<Updateable<RunRow>, 'id' | 'last_seq'>;
type RunSelect = Omit<Selectable<RunRow>, 'last_seq'>;

const RunStatusSchema = z.enum(RUN_STATUSES);

const RunFields = z.object({
  goal: z.string(),
  workflow: z.string().max(255).optional(),
  status: RunStatusSchema,
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
  progress: z.number().min(0).max(1),
  costUsd: z.number().nonnegative(),
  tokens: z.object({ input: z.number().int().nonnegative(), output: z.number().int().nonnegative() }),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

const RunRecordSchema = RunFields.extend({ id: z.string().min(1).max(255) });
const RunPatchSchema = RunFields.partial();

/** Checks a run before it is stored; a bad field is a ValidationError naming it. */
export function checkRun(run: RunRecord): void {
  check(RunRecordSchema, run, 'run');
}

/** Checks the statuses a listing filters on. */
export function checkStatuses(status: readonly string[]): void {
  check(z.array(RunStatusSchema), status, 'status filter');
}

/** Checks a run patch before it is applied. */
export function checkPatch(patch: Partial<Omit<RunRecord, 'id'>>): void {
  check(RunPatchSchema, patch, 'run patch');
}

function check(schema: z.ZodType, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ValidationError(
    `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    {
      issues,
    },
  );
}

/** The row of a run. */
export function runToRow(run: RunRecord): RunInsert {
  return {
    id: run.id,
    goal: run.goal,
    workflow: run.workflow ?? null,
    status: run.status,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    progress: run.progress,
    cost_usd: run.costUsd,
    tokens_in: run.tokens.input,
    tokens_out: run.tokens.output,
    error: run.error === undefined ? null : JSON.stringify(run.error),
  };
}

/** The columns a patch changes (only the fields it has; `error: undefined` clears the error). */
export function patchToRow(patch: Partial<Omit<RunRecord, 'id'>>): RunUpdate {
  const row: RunUpdate = {};
  if (patch.goal !== undefined) row.goal = patch.goal;
  if ('workflow' in patch) row.workflow = patch.workflow ?? null;
  if (patch.status !== undefined) row.status = patch.status;
  if (patch.createdAt !== undefined) row.created_at = patch.createdAt;
  if (patch.updatedAt !== undefined) row.updated_at = patch.updatedAt;
  if (patch.progress !== undefined) row.progress = patch.progress;
  if (patch.costUsd !== undefined) row.cost_usd = patch.costUsd;
  if (patch.tokens !== undefined) {
    row.tokens_in = patch.tokens.input;
    row.tokens_out = patch.tokens.output;
  }
  if ('error' in patch) row.error = patch.error === undefined ? null : JSON.stringify(patch.error);
  return row;
}

/** The run a row holds. */
export function rowToRun(row: RunSelect): RunRecord {
  const run: RunRecord = {
    id: row.id,
    goal: row.goal,
    status: row.status as RunRecord['status'],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    progress: Number(row.progress),
    costUsd: Number(row.cost_usd),
    tokens: { input: Number(row.tokens_in), output: Number(row.tokens_out) },
  };
  if (row.workflow !== null) run.workflow = row.workflow;
  if (row.error !== null) run.error = JSON.parse(row.error) as NonNullable<RunRecord['error']>;
  return run;
}
