import { runWorkerCli, WORKER_USAGE } from '@troupe/nats/internal';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';

/** `troupe worker --help`: the worker's usage under its `troupe worker` name, with examples. */
export const WORKER_HELP = `${WORKER_USAGE.replace('usage: troupe-worker', 'usage: troupe worker').replace(/\n {21}/g, '\n                     ')}

Hosts the agents a module exports on NATS, so any process on the same servers and namespace
(troupe run --nats …, a client runtime) can ask them. Prints one "ready …" line once serving;
Ctrl-C or SIGTERM drains in-flight work and exits 0. Same flags as the troupe-worker bin.

Examples:
  troupe worker --nats nats://127.0.0.1:4222 --namespace demo --agents ./agents.js
  troupe worker --agents ./agents.ts --instances 4        (a .ts module needs tsx installed)
`;

/** `troupe worker …`: the troupe-worker command of @troupe/nats, unchanged (its flags, its output). */
export async function workerCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(WORKER_HELP);
    return ExitCode.Ok;
  }
  const code = await runWorkerCli(args, { stdout: io.stdout, stderr: io.stderr, program: 'troupe worker' });
  return code === 0 ? ExitCode.Ok : ExitCode.Usage;
}
