/** Worker processes running the `troupe-worker` bin, owned by a test and killed on dispose. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** The worker bin, run from source through tsx. */
export const WORKER_BIN = fileURLToPath(new URL('../../../packages/nats/src/bin/worker.ts', import.meta.url));
/** The agents module the workers load. */
export const FIXTURE_AGENTS = fileURLToPath(new URL('../fixtures/agents.ts', import.meta.url));

/** Preload shifting a process's Date.now by `TROUPE_CLOCK_SKEW_MS`. */
export const CLOCK_SKEW = fileURLToPath(new URL('../fixtures/clockSkew.mjs', import.meta.url));

/** A running worker process. */
export interface WorkerProcess extends AsyncDisposable {
  readonly name: string;
  readonly pid: number;
  /** The `ready …` line it printed. */
  readonly ready: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends a signal. */
  kill(signal: NodeJS.Signals): void;
}

/** Runs the worker bin with `args`; resolves once it printed its ready line. */
export function runWorkerBin(options: {
  name: string;
  args: string[];
  timeoutMs?: number;
  /** Node options before the bin (e.g. `--import` a preload). */
  nodeArgs?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
}): {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
} {
  const nodeArgs = options.nodeArgs ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', WORKER_BIN, ...options.args], {
    cwd: root,
    env: {
      ...process.env,
      TROUPE_TEST_WORKER: options.name,
      TROUPE_LOG: process.env.TROUPE_LOG ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** Starts a worker process serving the fixture agents and waits for its ready line. */
export async function spawnWorker(options: {
  url: string;
  namespace: string;
  name: string;
  extraArgs?: string[];
  timeoutMs?: number;
  /** Shift the worker's wall clock (Date.now) by this many ms: positive is ahead. */
  clockSkewMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const run = runWorkerBin({
    name: options.name,
    args: [
      '--nats',
      options.url,
      '--namespace',
      options.namespace,
      '--agents',
      FIXTURE_AGENTS,
      ...(options.extraArgs ?? []),
    ],
    ...(options.clockSkewMs === undefined ? {} : { nodeArgs: ['--import', CLOCK_SKEW] }),
    env: {
      ...options.env,
      ...(options.clockSkewMs === undefined ? {} : { TROUPE_CLOCK_SKEW_MS: String(options.clockSkewMs) }),
    },
  });
  const { child, exited } = run;
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${options.name} not ready in time:\n${run.stderr()}`));
    }, options.timeoutMs ?? 30_000);
    const onData = () => {
      const line = run
        .stdout()
        .split('\n')
        .find((l) => l.startsWith('ready '));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(line);
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${options.name} exited with ${code} before ready:\n${run.stderr()}`));
    });
  });
  return {
    name: options.name,
    pid: child.pid as number,
    ready,
    exited,
    stderr: run.stderr,
    kill: (signal) => {
      child.kill(signal);
    },
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
