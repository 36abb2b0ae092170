import { defineConfig } from 'vitest/config';

/**
 * Inside the workspace everything runs from source: the `@troupe/source` export condition maps each
 * `@troupe/*` package to its `src/index.ts`, so no build is needed before `pnpm test`. Vite's resolver
 * gets it through `resolve.conditions`; Node (externalized modules, and every child process a test
 * spawns with `node --import tsx …`) through `--conditions` in NODE_OPTIONS, inherited from here.
 */
const SOURCE = '--conditions=@troupe/source';
if (!(process.env.NODE_OPTIONS ?? '').includes(SOURCE)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${SOURCE}`.trim();
}
const conditions = ['@troupe/source', 'module', 'node', 'development|production'];
// Vitest also hands the SSR conditions to its Node workers (`--conditions`), where `module` makes a
// `require('@opentelemetry/api')` (from the OTel SDK) load its bundler-only ESM build, which Node cannot.
const serverConditions = conditions.filter((c) => c !== 'module');

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: serverConditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: NATS-backed files start servers and child processes of their own.
    maxWorkers: 2,
    reporters: ['default', './test/support/summaryReporter.ts'],
  },
});
