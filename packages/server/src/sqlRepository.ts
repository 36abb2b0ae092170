import type { RunRepository } from '@troupe/core';
import { ValidationError } from '@troupe/core';
import { MissingPackageError } from './errors.js';

/** URL schemes `@troupe/sql` serves. */
const SQL_URL = /^(postgres|postgresql|mysql|mariadb):\/\//i;

/**
 * Opens `@troupe/sql`'s `createSqlStore(url)` as the server's {@link RunRepository}, importing the
 * package only now (it is optional). Throws `ValidationError` (path `db`) for a URL that is not
 * `postgres://`, `postgresql://`, `mysql://` or `mariadb://`, and `MissingPackageError` (code
 * `MISSING_PACKAGE`) when `@troupe/sql` is not installed. `options` go to `createSqlStore` as
 * they are (e.g. `{ blobs: dir }`: where values over its size threshold are kept by reference).
 * @example
 * const repository = await openSqlRepository('postgres://postgres@127.0.0.1:5432/test');
 */
export async function openSqlRepository(
  url: string,
  importer: (specifier: string) => Promise<unknown> = (s) => import(s),
  options: { blobs?: string } = {},
): Promise<RunRepository> {
  if (!SQL_URL.test(url)) {
    throw new ValidationError(`unsupported database URL '${redact(url)}'`, {
      issues: [{ path: 'db', message: 'use postgres://, postgresql://, mysql:// or mariadb://' }],
    });
  }
  let mod: { createSqlStore?: unknown };
  try {
    mod = (await importer('@troupe/sql')) as { createSqlStore?: unknown };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MissingPackageError('@troupe/sql', `--db ${redact(url)}`, { cause: err });
    }
    throw err;
  }
  if (typeof mod.createSqlStore !== 'function') {
    throw new MissingPackageError(
      '@troupe/sql',
      `--db (the installed @troupe/sql exports no createSqlStore)`,
    );
  }
  return (await (mod.createSqlStore as (url: string, o: object) => unknown)(url, options)) as RunRepository;
}

/** The URL with any password masked, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
