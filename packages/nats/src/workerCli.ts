/**
 * The troupe-worker command line: its usage, its flags parsed into {@link WorkerOptions}, and the
 * process loop (start, print `ready …`, drain on SIGTERM or SIGINT). The `troupe-worker` bin and
 * `troupe worker` (in @troupe/cli) both run {@link runWorkerCli}.
 */
import { parseArgs } from 'node:util';
import { TroupeError } from '@troupe/core';
import { startWorker, type WorkerOptions } from './startWorker.js';

/** Usage text of the worker command (flags, defaults, environment variables). */
export const WORKER_USAGE = `usage: troupe-worker --agents <module> [--nats <url>[,<url>…]] [--namespace <ns>]
                     [--token <t> | --user <u> --password <p>] [--tls-ca <pem>] [--tls-cert <pem> --tls-key <pem>]
                     [--instances <n>] [--worker-id <id>] [--close-timeout <ms>] [--no-progress]
  --nats defaults to $TROUPE_NATS_URL, then nats://127.0.0.1:4222; --namespace to $TROUPE_NAMESPACE, then "default".
  Credentials may also come from $NATS_TOKEN, $NATS_USER and $NATS_PASSWORD.`;

/** Stable code of {@link WorkerUsageError}. */
export const WORKER_USAGE_ERROR = 'WORKER_USAGE';

/** The worker's command line is wrong (or `--help` was asked): the message is what to print. */
export class WorkerUsageError extends TroupeError {
  constructor(message: string) {
    super(WORKER_USAGE_ERROR, message);
  }
}

/**
 * Worker options from command-line arguments (without the program name) and the environment.
 * Throws {@link WorkerUsageError} (its message is the usage or the problem) for `--help`, a
 * missing `--agents`, an unknown flag or a bad number.
 */
export function parseWorkerArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): WorkerOptions {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags(argv);
  } catch (err) {
    throw new WorkerUsageError(`${(err as Error).message}\n${WORKER_USAGE}`);
  }
  if (values.help || values.agents === undefined) throw new WorkerUsageError(WORKER_USAGE);
  const connection: NonNullable<WorkerOptions['connection']> = {
    servers: (values.nats ?? env.TROUPE_NATS_URL ?? 'nats://127.0.0.1:4222').split(','),
  };
  const options: WorkerOptions = {
    agents: values.agents,
    connection,
    namespace: values.namespace ?? env.TROUPE_NAMESPACE ?? 'default',
  };
  const token = values.token ?? env.NATS_TOKEN;
  const user = values.user ?? env.NATS_USER;
  const password = values.password ?? env.NATS_PASSWORD;
  if (token !== undefined) connection.token = token;
  if (user !== undefined) connection.user = user;
  if (password !== undefined) connection.pass = password;
  const ca = values['tls-ca'];
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if (ca !== undefined || cert !== undefined || key !== undefined) {
    connection.tls = {
      ...(ca === undefined ? {} : { caFile: ca }),
      ...(cert === undefined ? {} : { certFile: cert }),
      ...(key === undefined ? {} : { keyFile: key }),
    };
  }
  if (values.instances !== undefined) options.instances = positive(values.instances, '--instances');
  if (values['worker-id'] !== undefined) options.workerId = values['worker-id'];
  if (values['no-progress']) options.progress = false;
  if (values['close-timeout'] !== undefined) {
    options.closeTimeout = positive(values['close-timeout'], '--close-timeout');
  }
  return options;
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      nats: { type: 'string' },
      namespace: { type: 'string' },
      agents: { type: 'string' },
      token: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'tls-ca': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      instances: { type: 'string' },
      'worker-id': { type: 'string' },
      'close-timeout': { type: 'string' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new WorkerUsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

/** Where {@link runWorkerCli} writes, and its name in messages. */
export interface WorkerCliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Prefix of stderr messages (default `troupe-worker`). */
  program?: string;
  /** Resolves when the worker should drain and stop (default: SIGTERM or SIGINT, resolving to its name). */
  stopped?: Promise<string>;
}

/**
 * Runs the worker command: parses `argv` (2 and the usage on stderr when it is wrong), starts the
 * worker, prints `ready worker=… namespace=… types=… server=host:port` on stdout, waits for
 * SIGTERM or SIGINT, drains and resolves 0. Rejects with the start's error (a `TroupeError`
 * such as `TransportError`, `UnauthorizedError` or `AgentsModuleError`) when it cannot serve.
 */
export async function runWorkerCli(argv: readonly string[], io: WorkerCliIo): Promise<number> {
  const program = io.program ?? 'troupe-worker';
  // Asked for: the usage on stdout, success (a usage error is on stderr, exit 2).
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${WORKER_USAGE}\n`);
    return 0;
  }
  let options: WorkerOptions;
  try {
    options = parseWorkerArgs(argv);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const worker = await startWorker(options);
  const stopped =
    io.stopped ??
    new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
  const info = worker.transport.connection?.info;
  io.stdout.write(
    `ready worker=${worker.transport.workerId} namespace=${worker.runtime.namespace} ` +
      `types=${worker.types.join(',')} server=${info?.host ?? '?'}:${info?.port ?? '?'}\n`,
  );
  const signal = await stopped;
  io.stderr.write(`${program}: ${signal}, draining\n`);
  await worker.close();
  return 0;
}
