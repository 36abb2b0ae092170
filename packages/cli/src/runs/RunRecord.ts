import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './jsonFile.js';
import type { RunPaths } from './layout.js';

/** Where a run is, as its record says (`running` with a dead pid reads as `interrupted`). */
export const RUN_STATES = [
  'running',
  'completed',
  'failed',
  'timed_out',
  'cancelled',
  'interrupted',
  'budget_exhausted',
] as const;

/** One of {@link RUN_STATES}. */
export type RunState = (typeof RUN_STATES)[number];

/** Schema of `run.json`: what was run with which settings, and how it went. Times in ms since the epoch. */
export const RunRecordSchema = z.object({
  v: z.literal(1),
  runId: z.string(),
  name: z.string(),
  /** What was run: a goal for orchestrate, or a workflow module (an absolute path). */
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('goal'), goal: z.string() }),
    z.object({ kind: z.literal('workflow'), path: z.string() }),
  ]),
  /** The settings it was started with (`--resume` reuses them unless given again). */
  settings: z.object({
    model: z.string().optional(),
    maxConcurrency: z.number().int().positive().optional(),
    nats: z.string().optional(),
    namespace: z.string(),
    budgetTokens: z.number().int().positive().optional(),
    budgetUsd: z.number().positive().optional(),
    input: z.unknown().optional(),
  }),
  state: z.enum(RUN_STATES),
  /** Why it ended, when it did not complete. */
  reason: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().optional(),
  /** Processes that ran it, one per start or resume. */
  attempts: z.array(z.object({ pid: z.number().int(), host: z.string(), startedAt: z.number() })),
});

/** A run's `run.json`. */
export type RunRecord = z.output<typeof RunRecordSchema>;

/** Reads a run's record; `undefined` when there is none. Throws `ZodError` on a damaged file. */
export async function readRunRecord(paths: RunPaths): Promise<RunRecord | undefined> {
  const raw = await readJsonFile<unknown>(paths.record);
  return raw === undefined ? undefined : RunRecordSchema.parse(raw);
}

/** Writes a run's record atomically. */
export async function writeRunRecord(paths: RunPaths, record: RunRecord): Promise<void> {
  await writeJsonFile(paths.record, record);
}
