import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The test run StrykerJS uses for `pnpm mutate` (see stryker.config.json): the core unit tests only, which
 * cover `packages/core/src/runtime` and `packages/core/src/progress` and finish in seconds, so each mutant
 * costs one short run. The repository-wide suite (NATS, tmux, Chromium, child processes) is not involved.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['packages/core/test/**/*.test.ts'],
    reporters: ['default'],
    // Stryker runs every mutant in one worker: re-importing the runtime for each test file would be most of
    // each run's time (the core tests reset what they share in afterEach, so they hold up without isolation).
    isolate: false,
    // A mutant that makes a test hang fails that test (detected) instead of running into Stryker's own
    // timeout, which kills and restarts the test runner: far slower. Every core test passes well under this.
    testTimeout: 15_000,
    hookTimeout: 15_000,
    // Read by the few tests whose size only matters for the claim, not for catching a mutant (cancel.test.ts).
    env: { TROUPE_MUTATION_RUN: '1' },
  },
});
