#!/usr/bin/env node
/**
 * troupe-worker: hosts the agents a module exports on NATS.
 *
 *   troupe-worker --nats nats://127.0.0.1:4222 --namespace demo --agents ./agents.js
 *
 * Built to dist/bin/worker.js and run by plain `node`. The agents module may be JavaScript, or
 * TypeScript where Node strips types (≥ 22.18 / 23.6) or `tsx` is installed (see loadAgents).
 * In this workspace: `pnpm worker --agents examples/distributed/agents.ts` runs it from source.
 * The flags are those of WORKER_USAGE (src/workerCli.ts); `troupe worker` runs the same code.
 *
 * Prints one `ready …` line to stdout once serving; SIGTERM or SIGINT drains and exits 0.
 */
import { runWorkerCli } from '../workerCli.js';

runWorkerCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
    // Exit even if a library left a handle open; unref'd, so a clean shutdown exits sooner on its own.
    if (code === 0) setTimeout(() => process.exit(0), 1_000).unref();
  },
  (err: unknown) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`troupe-worker: ${e.code ? `${e.code} ` : ''}${e.message}\n`);
    process.exitCode = 1;
  },
);
