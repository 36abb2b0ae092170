import { Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import type { DatabaseUrl } from './databaseUrl.js';
import { SqlConnectionError } from './errors.js';
import type { SqlSchema } from './schema.js';

/** Pool settings of {@link connect}. */
export interface PoolOptions {
  /** Most connections open at once (default 10). */
  poolSize: number;
  /** Give up connecting after this many ms (default 10 000). */
  connectTimeoutMs: number;
}

/** A Kysely instance over a `pg` or `mysql2` pool for the URL; nothing is connected yet. */
export function createKysely(url: DatabaseUrl, options: PoolOptions): Kysely<SqlSchema> {
  if (url.dialect === 'postgres') {
    const pool = new pg.Pool({
      host: url.host,
      port: url.port,
      database: url.database,
      ...(url.user === undefined ? {} : { user: url.user }),
      ...(url.password === undefined ? {} : { password: url.password }),
      ...pgSsl(url.params),
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs,
    });
    // An idle connection dropped by the server emits 'error' on the pool; unheard, it would crash the
    // process. The next query checks out a fresh connection and reports its own failure.
    pool.on('error', () => {});
    return new Kysely<SqlSchema>({ dialect: new PostgresDialect({ pool }) });
  }
  const pool = createPool({
    host: url.host,
    port: url.port,
    database: url.database,
    ...(url.user === undefined ? {} : { user: url.user }),
    ...(url.password === undefined ? {} : { password: url.password }),
    ...(url.params.get('ssl') === 'true' ? { ssl: {} } : {}),
    connectionLimit: options.poolSize,
    connectTimeout: options.connectTimeoutMs,
    charset: 'utf8mb4',
  });
  return new Kysely<SqlSchema>({ dialect: new MysqlDialect({ pool }) });
}

/** Runs `select 1`; a failure becomes a {@link SqlConnectionError} naming the server, not the password. */
export async function ping(db: Kysely<SqlSchema>, url: DatabaseUrl): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    const reason = err instanceof Error ? redact(err.message, url) : String(err);
    const name = url.dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
    throw new SqlConnectionError(
      `cannot reach ${name} at ${url.host}:${url.port} (database ${JSON.stringify(url.database)}, ${url.describe}): ${reason}`,
      { cause: err, data: { dialect: url.dialect, host: url.host, port: url.port, database: url.database } },
    );
  }
}

function pgSsl(params: URLSearchParams): { ssl?: pg.PoolConfig['ssl'] } {
  const mode = params.get('sslmode');
  if (mode === 'require' || mode === 'no-verify') return { ssl: { rejectUnauthorized: false } };
  if (mode === 'verify-ca' || mode === 'verify-full' || params.get('ssl') === 'true') return { ssl: true };
  return {};
}

function redact(text: string, url: DatabaseUrl): string {
  const out = text === '' ? 'no answer' : text;
  return url.password === undefined || url.password === '' ? out : out.split(url.password).join('***');
}
