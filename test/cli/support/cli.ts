/**
 * Running the `troupe` CLI from source as a separate process, as a user would from a shell: node
 * with tsx and the `@troupe/source` condition, in a temp directory of its own (the store `.troupe`
 * lands there), with the test workflow by absolute path.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initialProgress, type ProgressEvent, reduceProgress, type TaskProgress } from '@troupe/core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI's entry point, from source. */
export const CLI = join(ROOT, 'packages/cli/src/bin/troupe.ts');
/** The test workflow: four researchers, then a writer; checkpoints in the run's store. */
export const WORKFLOW = join(ROOT, 'test/cli/fixtures/research.workflow.ts');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** The command line that runs the CLI (`node --conditions=… --import tsx troupe.ts`). */
export function cliCommand(): string[] {
  return [process.execPath, '--conditions=@troupe/source', '--import', TSX, CLI];
}

/** A temp directory for one test, removed by `[Symbol.dispose]`. */
export function tempDir(prefix = 'troupe-cli-'): { dir: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a finished CLI process left. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A started CLI process: its output so far and its end. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
}

/** The environment of a CLI process: this one's, without keys, plus `env`. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TROUPE_LOG: 'warn' };
  for (const key of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'TROUPE_MODEL', 'TROUPE_NATS_URL', 'FORCE_COLOR'])
    delete out[key];
  return { ...out, ...env };
}

/** Starts `troupe <args>` in `cwd` with stdout and stderr piped (so stdout is not a terminal). */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string> }): CliProcess {
  const [node, ...rest] = cliCommand();
  const child = spawn(node as string, [...rest, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `troupe <args>` to its end. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  return startCli(args, options).exited;
}

/** Every event of `--json` output, parsed line by line (each line must be JSON). */
export function jsonEvents(stdout: string): ProgressEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ProgressEvent);
}

/** The snapshot a run's events reduce to (as `troupe replay` rebuilds it). */
export function reduceEvents(events: readonly ProgressEvent[], name: string): TaskProgress {
  return events.reduce(reduceProgress, initialProgress({ name }));
}

/** The run id the CLI names in its last lines (`replay: troupe replay <id>` / `resume: …`). */
export function runIdOf(output: string): string {
  const id = /troupe (?:replay|run --resume) (\S+)/.exec(output)?.[1];
  if (id === undefined) throw new Error(`no run id in:\n${output}`);
  return id;
}

/** Lines of a count file (one per step execution). */
export function executions(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
