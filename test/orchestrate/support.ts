/** Helpers of the orchestrate tests: a team in one runtime, and event logs made comparable. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** A node process running a fixture with tsx; disposing it kills it (SIGKILL) if it still runs. */
export interface Child extends AsyncDisposable {
  /** Everything it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once it printed a line matching `pattern` (rejects if it exits first). */
  line(pattern: RegExp): Promise<string>;
  /** `kill -9`, then waits until it is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Starts `node --import tsx fixtures/<file> ...args` from the repository root. */
export function spawnFixture(file: string, args: string[]): Child {
  const script = fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, TROUPE_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    stdout: () => out,
    stderr: () => err,
    exited,
    kill,
    line(pattern) {
      return new Promise<string>((resolve, reject) => {
        const look = () => {
          const found = out.split('\n').find((l) => pattern.test(l));
          if (found !== undefined) resolve(found);
          else waiters.push(look);
        };
        look();
        void exited.then((code) => reject(new Error(`${file} exited (${code}) before ${pattern}:\n${err}`)));
      });
    },
    [Symbol.asyncDispose]: kill,
  };
}
