/** Helpers of the orchestrate tests: a team in one runtime, and event logs made comparable. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ProgressEvent, type Runtime } from '@troupe/core';
import type { OrchestrateReport } from '@troupe/pipelines';
import { plannerDef, researcherDef, strategyDef, writerDef } from './fixtures/team.js';

/** A runtime with the whole team registered. */
export async function teamRuntime(options: { researchers?: number } = {}): Promise<Runtime> {
  const runtime = createRuntime();
  await runtime.register(plannerDef());
  await runtime.register(strategyDef());
  await runtime.register(researcherDef(), { instances: options.researchers ?? 2 });
  await runtime.register(writerDef());
  return runtime;
}

/** A temp directory removed on dispose. */
export function tempDir(prefix = 'troupe-orchestrate-'): { dir: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Events with what legitimately differs between two runs taken out: times (`ts`, `latencyMs`) and
 * generated ids, each replaced by the order in which it first appeared.
 */
export function comparable(events: readonly ProgressEvent[]): unknown[] {
  const ids = new Map<string, string>();
  const walk = (value: unknown, key?: string): unknown => {
    if (key === 'ts' || key === 'latencyMs' || key === 'startedAt' || key === 'finishedAt') return 0;
    if (key === 'runId') return 'run';
    if (typeof value === 'string') {
      if (!ID.test(value)) return value;
      let alias = ids.get(value);
      if (alias === undefined) {
        alias = `id${ids.size}`;
        ids.set(value, alias);
      }
      return alias;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return events.map((e) => walk(e));
}

/** A report without what differs between two equal runs (times, ids of cards and the run). */
export function reportShape(report: OrchestrateReport): unknown {
  return {
    ...report,
    runId: 'run',
    durationMs: 0,
    subtasks: report.subtasks.map((s) => ({ ...s, durationMs: 0 })),
  };
}
