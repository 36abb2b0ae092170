#!/usr/bin/env node
/**
 * troupe-worker: hosts the agents a module exports on NATS.
 *
 *   troupe-worker --nats nats://127.0.0.1:4222 --namespace demo --agents ./agents.js
 *
 * Built to dist/bin/worker.js and run by plain `node`. The agents module may be JavaScript, or
 * TypeScript where Node strips types (≥ 22.18 / 23.6) or `tsx` is installed (see loadAgents).
 * In this workspace: `pnpm worker --agents examples/distributed/agents.ts` runs it from source.
 *
 * Prints one `ready …` line to stdout once serving; SIGTERM or SIGINT drains and exits 0.
 */
import { parseArgs } from 'node:util';
import { startWorker, type WorkerOptions } from '../startWorker.js';

const USAGE = `usage: troupe-worker --agents <module> [--nats <url>[,<url>…]] [--namespace <ns>]
                     [--token <t> | --user <u> --password <p>] [--tls-ca <pem>] [--tls-cert <pem> --tls-key <pem>]
                     [--instances <n>] [--worker-id <id>] [--close-timeout <ms>] [--no-progress]
  --nats defaults to $TROUPE_NATS_URL, then nats://127.0.0.1:4222; --namespace to $TROUPE_NAMESPACE, then "default".
  Credentials may also come from $NATS_TOKEN, $NATS_USER and $NATS_PASSWORD.`;

function parse(argv: string[]): WorkerOptions {
  const { values } = parseArgs({
    args: argv,
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
  });
  if (values.help || values.agents === undefined) throw new UsageError(USAGE);
  const connection: NonNullable<WorkerOptions['connection']> = {
    servers: (values.nats ?? process.env.TROUPE_NATS_URL ?? 'nats://127.0.0.1:4222').split(','),
  };
  const options: WorkerOptions = {
    agents: values.agents,
    connection,
    namespace: values.namespace ?? process.env.TROUPE_NAMESPACE ?? 'default',
  };
  const token = values.token ?? process.env.NATS_TOKEN;
  const user = values.user ?? process.env.NATS_USER;
  const password = values.password ?? process.env.NATS_PASSWORD;
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

class UsageError extends Error {}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

async function main(): Promise<number> {
  let options: WorkerOptions;
  try {
    options = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const worker = await startWorker(options);
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const info = worker.transport.connection?.info;
  process.stdout.write(
    `ready worker=${worker.transport.workerId} namespace=${worker.runtime.namespace} ` +
      `types=${worker.types.join(',')} server=${info?.host ?? '?'}:${info?.port ?? '?'}\n`,
  );
  const signal = await stopped;
  process.stderr.write(`troupe-worker: ${signal}, draining\n`);
  await worker.close();
  // Exit even if a library left a handle open; unref'd, so a clean shutdown exits sooner on its own.
  setTimeout(() => process.exit(0), 1_000).unref();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`troupe-worker: ${e.code ? `${e.code} ` : ''}${e.message}\n`);
    process.exitCode = 1;
  },
);
