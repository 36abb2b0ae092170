import { connect } from 'node:net';
import { describe, it } from 'vitest';
import { onCi } from './requireNats.js';

/** The database servers tests can ask for. */
export type TestDatabaseKind = 'postgres' | 'mariadb';

const DEFAULT_URLS: Record<TestDatabaseKind, string> = {
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
  mariadb: 'mysql://root@127.0.0.1:3306/test',
};

const ENV: Record<TestDatabaseKind, string> = {
  postgres: 'TROUPE_TEST_POSTGRES_URL',
  mariadb: 'TROUPE_TEST_MYSQL_URL',
};

/** The admin URL of a test database server: `TROUPE_TEST_POSTGRES_URL` / `TROUPE_TEST_MYSQL_URL`, else the local default. */
export function testDatabaseUrl(kind: TestDatabaseKind, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[ENV[kind]];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_URLS[kind];
}

/** What to do when a test database server does not answer. */
export function databaseInstallMessage(kind: TestDatabaseKind, url = testDatabaseUrl(kind)): string {
  const where = new URL(url).host;
  return kind === 'postgres'
    ? `PostgreSQL is not answering at ${where}: apt-get install -y postgresql && service postgresql start ` +
        `(trust auth for 127.0.0.1, a database named test), or point ${ENV.postgres} at a server`
    : `MariaDB is not answering at ${where}: apt-get install -y mariadb-server && service mariadb start ` +
        `(root without a password, a database named test), or point ${ENV.mariadb} at a server`;
}

/** Whether something accepts TCP connections at the URL's host and port within `timeoutMs`. */
export function databaseAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol.startsWith('postgres') ? 5432 : 3306));
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname || '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What a suite needing a database does, and the server's admin URL. */
export interface DatabaseGate {
  kind: TestDatabaseKind;
  url: string;
  /** `run` when the server answers; without it, `fail` on CI and `skip` elsewhere. */
  gate: 'run' | 'fail' | 'skip';
}

/** Probes the test database server of `kind` (see {@link testDatabaseUrl}). */
export async function requireDatabase(kind: TestDatabaseKind): Promise<DatabaseGate> {
  const url = testDatabaseUrl(kind);
  if (await databaseAnswers(url)) return { kind, url, gate: 'run' };
  return { kind, url, gate: onCi() ? 'fail' : 'skip' };
}

/**
 * `describe` for suites that need a real database server: runs when it answers (the callback gets
 * its admin URL), fails on CI when it does not (with what to install and start), and is skipped
 * locally otherwise, with a note on stderr. Await it at the top level of the test file.
 */
export async function databaseSuite(
  kind: TestDatabaseKind,
  name: string,
  fn: (url: string) => void,
): Promise<void> {
  const { url, gate } = await requireDatabase(kind);
  if (gate === 'run') {
    describe(name, () => fn(url));
  } else if (gate === 'fail') {
    describe(name, () => {
      it(`needs ${kind}`, () => {
        throw new Error(databaseInstallMessage(kind, url));
      });
    });
  } else {
    process.stderr.write(`skipping "${name}": ${databaseInstallMessage(kind, url)}\n`);
    describe.skip(name, () => fn(url));
  }
}
