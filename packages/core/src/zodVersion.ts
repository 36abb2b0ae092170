import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { TroupeError } from './errors/errors.js';

/** Stable code of {@link ZodVersionError}. */
export const ZOD_VERSION_ERROR = 'ZOD_VERSION';

/**
 * The `zod` that `@troupe/core` imports is not zod 4 (a peer dependency: `npm install zod@^4`).
 * Thrown when `@troupe/core` is first imported; `installed` is the version found, or `'unknown'`.
 */
export class ZodVersionError extends TroupeError {
  /** The installed zod version, from its package.json, or `'unknown'`. */
  readonly installed: string;

  constructor(installed: string) {
    super(
      ZOD_VERSION_ERROR,
      `@troupe/core needs zod 4 (peer dependency zod@^4.0.0), but zod ${installed} is installed: ` +
        'run `npm install zod@^4` (zod 3 and its zod/v4 subpath are not supported)',
      { data: { installed } },
    );
    this.installed = installed;
  }
}

/** Throws `ZodVersionError` unless `mod` (a zod module namespace) is zod 4; `installed` names it. */
export function assertZod4(mod: unknown, installed: () => string = installedZodVersion): void {
  const version = (mod as { core?: { version?: { major?: unknown } } }).core?.version;
  if (version?.major !== 4) throw new ZodVersionError(installed());
}

/** The version in the package.json of the `zod` this module resolves, or `'unknown'`. */
export function installedZodVersion(): string {
  try {
    const url = import.meta.resolve('zod/package.json');
    const { version } = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

assertZod4(z);
