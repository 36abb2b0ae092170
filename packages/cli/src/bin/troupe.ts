#!/usr/bin/env node
/**
 * The `troupe` command: built to dist/bin/troupe.js and run by plain `node`; in this workspace
 * `pnpm troupe …` runs it from source. See `troupe --help` and the package README.
 */
import { runCli } from '../main.js';

// `troupe ls | head`: a reader that went away ends the output, not the process with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Exit even if a library left a handle open; unref'd, so a clean end exits sooner on its own.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`troupe: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
