import { describe, it } from 'vitest';
import { findNatsServer, NATS_INSTALL_MESSAGE } from './natsBin.js';

/** True when a nats-server executable can be found (see {@link findNatsServer}). */
export function natsAvailable(bin?: string): boolean {
  return findNatsServer(bin) !== undefined;
}

function onCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * `describe` for suites that need a real nats-server: runs when the binary exists, fails on CI when it
 * does not (a silently skipped suite would hide a broken CI image), and is skipped locally otherwise.
 */
export function natsSuite(name: string, fn: () => void): void {
  if (natsAvailable()) {
    describe(name, fn);
  } else if (onCi()) {
    describe(name, () => {
      it('needs nats-server', () => {
        throw new Error(NATS_INSTALL_MESSAGE);
      });
    });
  } else {
    describe.skip(name, fn);
  }
}

/** Alias of {@link natsSuite}, reading like `describe`. */
export const describeNats: (name: string, fn: () => void) => void = natsSuite;
