import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { databaseAnswers, databaseInstallMessage, freePort, testDatabaseUrl } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const config = fileURLToPath(new URL('./fixtures/databaseGate.vitest.config.ts', import.meta.url));

/** Runs the gated fixture suites in a child vitest with `CI` as given and both servers pointed at a dead port. */
function runGated(ci: string, deadPort: number): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: ci,
    TROUPE_TEST_POSTGRES_URL: `postgres://postgres@127.0.0.1:${deadPort}/test`,
    TROUPE_TEST_MYSQL_URL: `mysql://root@127.0.0.1:${deadPort}/test`,
  };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  const run = spawnSync(
    process.execPath,
    [`${repoRoot}node_modules/vitest/vitest.mjs`, 'run', '--config', config],
    {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('the database gate', () => {
  it('should take the server URLs from the environment, else the local defaults', () => {
    expect(testDatabaseUrl('postgres', {})).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(testDatabaseUrl('mariadb', {})).toBe('mysql://root@127.0.0.1:3306/test');
    expect(testDatabaseUrl('mariadb', { TROUPE_TEST_MYSQL_URL: 'mysql://u@db:3307/x' })).toBe(
      'mysql://u@db:3307/x',
    );
  });

  it('should tell a listening port from a dead one', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await databaseAnswers(`postgres://127.0.0.1:${port}/x`)).toBe(true);
    } finally {
      server.close();
    }
    expect(await databaseAnswers(`postgres://127.0.0.1:${await freePort()}/x`)).toBe(false);
  });

  it('should fail database suites under CI when the servers are missing, saying what to install and start', {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    const run = runGated('true', port);
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain('needs postgres');
    expect(run.output).toContain('needs mariadb');
    expect(run.output).toContain('apt-get install -y postgresql && service postgresql start');
    expect(run.output).toContain('apt-get install -y mariadb-server && service mariadb start');
    expect(databaseInstallMessage('postgres', `postgres://u@127.0.0.1:${port}/t`)).toContain(
      `127.0.0.1:${port}`,
    );
  });

  it('should skip database suites outside CI when the servers are missing, with a note', {
    timeout: 90_000,
  }, async () => {
    const run = runGated('', await freePort());
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/2 skipped/);
    expect(run.output).toContain('skipping "a suite that needs postgres": PostgreSQL is not answering');
  });
});
