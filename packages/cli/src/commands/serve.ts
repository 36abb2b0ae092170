import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, FileStore, ValidationError } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import {
  closeOrphanedRuns,
  createServer,
  FileRunRepository,
  type GoalWorkflow,
  openSqlRepository,
  type RunRepository,
} from '@troupe/server';
import { UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { ingestNats } from '../runs/ingestNats.js';
import { goalWorkflow } from '../workflow/goalWorkflow.js';

/** The flags of `troupe serve`. */
export interface ServeFlags {
  port: number;
  host: string;
  store: string;
  db?: string;
  nats?: string;
  namespace: string;
  cors?: string;
  dashboard?: string;
}

/** Where the dashboard's build is, next to this package (the workspace, or node_modules/@troupe). */
export function defaultDashboardDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');
}

/** A goal runs as `troupe run "<goal>"` does: the CLI's goal workflow on the run's model. */
const cliGoal: GoalWorkflow = (goal, ctx) =>
  goalWorkflow(goal)({
    runId: ctx.runId,
    name: ctx.name,
    resuming: false,
    runtime: ctx.runtime,
    store: ctx.store,
    model: ctx.model,
    maxConcurrency: ctx.options.maxConcurrency,
    budget: {
      ...(ctx.options.budget?.tokens === undefined ? {} : { tokens: ctx.options.budget.tokens }),
      ...(ctx.options.budget?.costUsd === undefined ? {} : { costUsd: ctx.options.budget.costUsd }),
    },
    input: ctx.options.input,
    signal: ctx.signal,
    runOptions: ctx.runOptions,
  });

/**
 * `troupe serve`: the HTTP + WebSocket API of `@troupe/server` over the store (`<store>/server`),
 * or over a database with `--db` (`@troupe/sql`, installed separately), with the dashboard at `/`
 * when it is built. `TROUPE_API_TOKEN` sets the bearer token. Runs until Ctrl-C or SIGTERM, which
 * cancel the live runs and close the server; resolves to exit code 0 then.
 */
export async function serveCommand(flags: ServeFlags, io: CliIo, stop?: AbortSignal): Promise<ExitCodeValue> {
  const dir = join(resolve(io.cwd, flags.store), 'server');
  const repository: RunRepository =
    flags.db === undefined
      ? await openFileRepository(dir, io)
      : await openSqlRepository(flags.db, undefined, { blobs: join(dir, 'blobs') }).catch(usage);
  const token = io.env.TROUPE_API_TOKEN;
  const dashboardDir =
    flags.dashboard === undefined ? defaultDashboardDir() : resolve(io.cwd, flags.dashboard);
  const server = await createServer({
    repository,
    token: token === '' ? undefined : token,
    goal: cliGoal,
    dashboardDir,
    runStore: (runId) => FileStore.open({ dir: join(dir, 'runs', runId, 'store') }),
    ...(flags.cors === undefined ? {} : { corsOrigins: flags.cors.split(',').map((s) => s.trim()) }),
  });
  const url = await server.listen({ port: flags.port, host: flags.host });
  let transport: Awaited<ReturnType<typeof connectNats>> | undefined;
  let ingest: Awaited<ReturnType<typeof ingestNats>> | undefined;
  try {
    if (flags.nats !== undefined) {
      // TransportError (exit 4) when no server answers.
      transport = await connectNats({ connection: { servers: flags.nats.split(',') } });
      const logger = createLogger({ name: 'serve' });
      const nc = transport.connection; // open once connectNats resolved
      if (nc !== undefined) ingest = await ingestNats({ nc, namespace: flags.namespace, repository, logger });
    }
  } catch (err) {
    await transport?.close();
    await server.close();
    throw err;
  }
  io.stdout.write(
    `troupe serve: listening on ${url} (${token ? 'bearer token required' : 'no token: set TROUPE_API_TOKEN'})\n`,
  );
  if (!existsSync(join(dashboardDir, 'index.html'))) {
    io.stderr.write(
      `troupe serve: no dashboard build in ${dashboardDir}: the API is served, the board is not (build it with: pnpm build:dashboard)\n`,
    );
  }
  await new Promise<void>((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    stop?.addEventListener('abort', finish, { once: true });
  });
  io.stdout.write('troupe serve: closing\n');
  await ingest?.close();
  await transport?.close();
  await server.close();
  return ExitCode.Ok;
}

/** A bad `--db` URL is a usage error (exit 2). */
function usage(err: unknown): never {
  if (err instanceof ValidationError) throw new UsageError(err.message, { cause: err });
  throw err;
}

/** This server's own file repository; runs an earlier process left open (killed mid-run) are ended first. */
async function openFileRepository(dir: string, io: CliIo): Promise<RunRepository> {
  const repository = await FileRunRepository.open({ dir });
  const ended = await closeOrphanedRuns(repository);
  if (ended.length > 0) {
    io.stderr.write(
      `troupe serve: ${ended.length} run(s) left open by an earlier server marked failed (INTERRUPTED)\n`,
    );
  }
  return repository;
}
