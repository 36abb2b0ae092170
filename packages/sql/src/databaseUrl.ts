import { SqlUrlError } from './errors.js';

/** The SQL dialects `@troupe/sql` speaks. */
export type SqlDialectName = 'postgres' | 'mysql';

/** A database URL taken apart; `describe` is safe to print (no password). */
export interface DatabaseUrl {
  dialect: SqlDialectName;
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  database: string;
  /** Query parameters of the URL (`?ssl=true`, `?sslmode=require`, …). */
  params: URLSearchParams;
  /** `postgres://user@host:port/db` with the password masked, for messages and logs. */
  describe: string;
}

const SCHEMES: Record<string, SqlDialectName> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

/**
 * Parses `postgres://`, `postgresql://`, `mysql://` or `mariadb://` URLs (`user:password@host:port/database`,
 * percent-encoded). Throws {@link SqlUrlError} naming what is wrong, never echoing the password.
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SqlUrlError(`not a database URL: ${JSON.stringify(redactUrlText(url))}`);
  }
  const dialect = SCHEMES[parsed.protocol];
  if (dialect === undefined) {
    throw new SqlUrlError(
      `unsupported database URL scheme ${JSON.stringify(parsed.protocol)}: use postgres://, postgresql://, mysql:// or mariadb://`,
    );
  }
  const host = parsed.hostname === '' ? 'localhost' : parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port === '' ? (dialect === 'postgres' ? 5432 : 3306) : Number(parsed.port);
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database name');
  if (database === '' || database.includes('/')) {
    throw new SqlUrlError(
      `database URL ${describeOf(parsed, dialect)} names no database: add one as the path (…/${dialect === 'postgres' ? 'postgres' : 'mydb'})`,
    );
  }
  const user = parsed.username === '' ? undefined : decode(parsed.username, 'user name');
  const password = parsed.password === '' ? undefined : decode(parsed.password, 'password');
  return {
    dialect,
    host,
    port,
    user,
    password,
    database,
    params: parsed.searchParams,
    describe: describeOf(parsed, dialect),
  };
}

/** The URL with its password replaced by `***` (best effort on text that does not parse). */
export function redactUrlText(url: string): string {
  return url.replace(/(\/\/[^/:@]*):[^@/]*@/, '$1:***@');
}

function describeOf(url: URL, dialect: SqlDialectName): string {
  const user = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : ':***'}@`;
  return `${dialect === 'postgres' ? 'postgres' : 'mysql'}://${user}${url.host}${url.pathname}`;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new SqlUrlError(`the ${what} in the database URL is not valid percent-encoding`);
  }
}
