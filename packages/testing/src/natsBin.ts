import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Error message shown whenever the nats-server binary cannot be found. */
export const NATS_INSTALL_MESSAGE =
  "nats-server not found: install it with 'apt-get install -y nats-server' (or set NATS_SERVER_BIN)";

// Debian installs into /usr/sbin, which is often missing from a non-root PATH.
const FALLBACK_PATHS = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves the nats-server executable: `bin`, else `NATS_SERVER_BIN`, else `nats-server` on PATH.
 * Returns undefined when it cannot be found.
 */
export function findNatsServer(bin?: string): string | undefined {
  const wanted = bin ?? process.env.NATS_SERVER_BIN ?? 'nats-server';
  if (wanted.includes('/')) return isExecutable(wanted) ? wanted : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, wanted);
    if (isExecutable(candidate)) return candidate;
  }
  // Only the default name gets the fallbacks: an explicit bare name that is absent should fail.
  if (wanted !== 'nats-server') return undefined;
  return FALLBACK_PATHS.find(isExecutable);
}
