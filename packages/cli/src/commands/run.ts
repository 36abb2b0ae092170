import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { UnknownRunError, UsageError } from '../errors.js';
import type { ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { namespaceOf } from '../options.js';
import { runPaths } from '../runs/layout.js';
import { readRunRecord } from '../runs/RunRecord.js';
import { runCommand } from '../session/runCommand.js';
import type { RunSettings } from '../session/settings.js';
import { isWorkflowPath, workflowName } from '../workflow/loadWorkflow.js';

/** The flags of `troupe run`, as commander parsed them. */
export interface RunFlags {
  resume?: string;
  runId?: string;
  name?: string;
  input?: unknown;
  model?: string;
  maxConcurrency?: number;
  nats?: string;
  namespace?: string;
  store: string;
  budgetTokens?: number;
  budgetUsd?: number;
  json?: boolean;
  plain?: boolean;
}

/** A fresh run id: the start time and 4 random hex digits, e.g. `20250101-120000-3f2a`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * The settings of `troupe run [target]`: a new run of a goal or workflow module, or with
 * `--resume <runId>` the stored run's settings, with the flags given again taking precedence.
 */
export async function runSettings(
  target: string | undefined,
  flags: RunFlags,
  io: CliIo,
  answers?: ReadonlyMap<string, unknown>,
): Promise<RunSettings> {
  const output = flags.json ? 'json' : flags.plain || !io.stdout.isTTY ? 'plain' : 'live';
  const common = {
    storeDir: flags.store,
    output,
    ...(answers === undefined ? {} : { answers }),
  } as const;
  if (flags.resume !== undefined) {
    if (target !== undefined) throw new UsageError('give a goal or workflow, or --resume <runId>, not both');
    const record = await readRunRecord(runPaths(flags.store, flags.resume));
    if (record === undefined) throw new UnknownRunError(flags.resume, flags.store);
    const s = record.settings;
    return pruned({
      ...common,
      runId: record.runId,
      name: record.name,
      target: record.target,
      resume: true,
      namespace: flags.namespace ?? s.namespace,
      model: flags.model ?? s.model,
      maxConcurrency: flags.maxConcurrency ?? s.maxConcurrency,
      nats: flags.nats ?? s.nats,
      budgetTokens: flags.budgetTokens ?? s.budgetTokens,
      budgetUsd: flags.budgetUsd ?? s.budgetUsd,
      input: flags.input ?? s.input,
    });
  }
  if (target === undefined || target.trim() === '') {
    throw new UsageError(
      'troupe run needs a goal ("…"), a workflow module (./workflow.ts), or --resume <runId>',
    );
  }
  const workflow = isWorkflowPath(target);
  const runId = flags.runId ?? newRunId();
  runPaths(flags.store, runId); // validates the id
  return pruned({
    ...common,
    runId,
    name: flags.name ?? (workflow ? workflowName(target) : target.slice(0, 80)),
    target: workflow ? { kind: 'workflow', path: resolve(io.cwd, target) } : { kind: 'goal', goal: target },
    resume: false,
    namespace: namespaceOf(flags.namespace, io.env),
    model: flags.model,
    maxConcurrency: flags.maxConcurrency,
    nats: flags.nats ?? io.env.TROUPE_NATS_URL,
    budgetTokens: flags.budgetTokens,
    budgetUsd: flags.budgetUsd,
    input: flags.input,
  });
}

/** `troupe run`. */
export async function runAction(
  target: string | undefined,
  flags: RunFlags,
  io: CliIo,
): Promise<ExitCodeValue> {
  return runCommand(await runSettings(target, flags, io), io);
}

type Loose<T> = { [K in keyof T]: T[K] | undefined };

/** The settings without the keys whose value is undefined (exactOptionalPropertyTypes). */
function pruned(s: Loose<RunSettings>): RunSettings {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as RunSettings;
}
