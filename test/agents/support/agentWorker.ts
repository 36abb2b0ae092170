/** Worker processes (the troupe-worker bin from source) hosting an agents module of this folder. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_BIN } from '../../nats/support/workerProcess.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A running worker; disposing it kills it. */
export interface AgentWorker extends AsyncDisposable {
  readonly ready: string;
  stderr(): string;
}

/** Starts the worker bin on `module` (a file in ../fixtures) and waits for its `ready` line. */
export async function startAgentWorker(options: {
  url: string;
  namespace: string;
  module: string;
}): Promise<AgentWorker> {
  const agents = fileURLToPath(new URL(`../fixtures/${options.module}`, import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      WORKER_BIN,
      '--nats',
      options.url,
      '--namespace',
      options.namespace,
      '--agents',
      agents,
    ],
    {
      cwd: root,
      env: { ...process.env, TROUPE_NATS_URL: options.url, TROUPE_LOG: process.env.TROUPE_LOG ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker on ${options.module} not ready in time:\n${err}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('ready '));
      if (!line) return;
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker on ${options.module} exited with ${code} before ready:\n${err}`));
    });
  });
  return {
    ready,
    stderr: () => err,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
