/** Worker processes of the tracing test: the troupe-worker bin on a fixture module that exports its spans to a file. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWorkerBin } from '../nats/support/workerProcess.js';
import type { SpanLine } from './fixtures/spanFile.js';

/** Starts the worker bin as `name` on `module` (a file of ./fixtures), writing its spans under `spansDir`. */
export async function startTracedWorker(options: {
  name: string;
  url: string;
  namespace: string;
  module: string;
  spansDir: string;
}): Promise<AsyncDisposable & { stderr(): string }> {
  const agents = fileURLToPath(new URL(`./fixtures/${options.module}`, import.meta.url));
  // The bin passes this process's environment on; the fixture reads the directory from it.
  process.env.TROUPE_SPANS_DIR = options.spansDir;
  const worker = runWorkerBin({
    name: options.name,
    args: ['--nats', options.url, '--namespace', options.namespace, '--agents', agents],
  });
  delete process.env.TROUPE_SPANS_DIR;
  const { child, exited } = worker;
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} not ready:\n${worker.stderr()}`)),
        60_000,
      );
      const onData = () => {
        if (
          !worker
            .stdout()
            .split('\n')
            .some((l) => l.startsWith('ready '))
        )
          return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      };
      child.stdout?.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited with ${code} before ready:\n${worker.stderr()}`));
      });
    });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { stderr: worker.stderr, [Symbol.asyncDispose]: dispose };
}

/** The spans a worker wrote so far (none when it wrote no file yet). */
export async function spansOf(spansDir: string, name: string): Promise<SpanLine[]> {
  let text: string;
  try {
    text = await readFile(join(spansDir, `${name}.jsonl`), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SpanLine);
}
