import { describe, it } from 'vitest';
import { findNatsServer, NATS_INSTALL_MESSAGE } from './natsBin.js';

/** True when a nats-server executable can be found (see {@link findNatsServer}). */
export function natsAvailable(bin?: string): boolean {
  return findNatsServer(bin) !== undefined;
}

/** Whether `CI` is set to something other than empty, `0` or `false`. */
export function onCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * What a suite needing nats-server does: `run` when the binary exists; without it, `fail` on CI
 * (a silently skipped suite would hide a broken CI image) and `skip` elsewhere.
 */
export function natsGate(available: boolean, ci: boolean): 'run' | 'fail' | 'skip' {
  if (available) return 'run';
  return ci ? 'fail' : 'skip';
}

/**
 * `describe` for suites that need a real nats-server: runs when the binary exists, fails on CI when it
 * does not, with the install command, and is skipped locally otherwise.
 */
export function natsSuite(name: string, fn: () => void): void {
  switch (natsGate(natsAvailable(), onCi())) {
    case 'run':
      describe(name, fn);
      return;
    case 'fail':
      describe(name, () => {
        it('needs nats-server', () => {
          throw new Error(NATS_INSTALL_MESSAGE);
        });
      });
      return;
    default:
      describe.skip(name, fn);
  }
}

/** Alias of {@link natsSuite}, reading like `describe`. */
export const describeNats: (name: string, fn: () => void) => void = natsSuite;
