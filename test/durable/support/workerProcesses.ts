import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/durableWorker.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** Settings a worker process reads from its environment. */
export interface WorkerSettings {
  url: string;
  namespace: string;
  ackWaitMs?: number;
  maxDeliver?: number;
  concurrency?: number;
  workMs?: number;
  /** Agent types the worker hosts (default `['fault.job']`). */
  types?: string[];
}

/** One worker child process. */
export interface WorkerProcess {
  readonly name: string;
  readonly pid: number;
  /** Its stdout and stderr so far, for failure messages. */
  output(): string;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

// If the test process itself dies, its workers must not outlive it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Worker processes of one test (`node --import tsx fixtures/durableWorker.ts`); disposing the
 * pool stops every one still running (SIGTERM, then SIGKILL).
 */
export class WorkerPool implements AsyncDisposable {
  readonly #workers: WorkerProcess[] = [];
  #count = 0;

  /** Starts a worker and resolves once it printed "ready". */
  async start(settings: WorkerSettings): Promise<WorkerProcess> {
    const name = `worker-${++this.#count}`;
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TEST_NATS_URL: settings.url,
        TEST_NAMESPACE: settings.namespace,
        TEST_WORKER_NAME: name,
        TEST_ACK_WAIT_MS: String(settings.ackWaitMs ?? 2_000),
        TEST_MAX_DELIVER: String(settings.maxDeliver ?? 5),
        TEST_CONCURRENCY: String(settings.concurrency ?? 8),
        TEST_WORK_MS: String(settings.workMs ?? 20),
        TEST_TYPES: (settings.types ?? ['fault.job']).join(','),
      },
    });
    live.add(child);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        resolve();
      });
    });
    let output = '';
    const worker: WorkerProcess = {
      name,
      pid: child.pid ?? -1,
      output: () => output,
      async kill(signal = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(force);
      },
    };
    this.#workers.push(worker);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready in time:\n${output}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready\n')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready:\n${output}`));
      });
    });
    return worker;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.kill('SIGTERM')));
  }
}
