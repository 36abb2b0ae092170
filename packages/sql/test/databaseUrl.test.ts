import { freePort } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { createSqlStore, parseDatabaseUrl, SqlConnectionError, SqlUrlError } from '../src/index.js';

describe('parseDatabaseUrl', () => {
  it('should pick the dialect from the scheme and decode the parts', () => {
    const pg = parseDatabaseUrl('postgresql://app%40x:p%2Fw%3Ad@db.example:6543/troupe?sslmode=require');
    expect(pg).toMatchObject({
      dialect: 'postgres',
      host: 'db.example',
      port: 6543,
      user: 'app@x',
      password: 'p/w:d',
      database: 'troupe',
    });
    expect(pg.params.get('sslmode')).toBe('require');
    expect(pg.describe).toBe('postgres://app%40x:***@db.example:6543/troupe');
    expect(parseDatabaseUrl('postgres://h/db')).toMatchObject({
      dialect: 'postgres',
      port: 5432,
      user: undefined,
    });
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/test')).toMatchObject({
      dialect: 'mysql',
      port: 3306,
      user: 'root',
    });
    expect(parseDatabaseUrl('mariadb://u:secret@[::1]:3307/t')).toMatchObject({
      dialect: 'mysql',
      host: '::1',
      port: 3307,
    });
  });

  it('should refuse unknown schemes, missing databases and non-URLs without echoing the password', () => {
    expect(() => parseDatabaseUrl('sqlite://file.db')).toThrow(SqlUrlError);
    expect(() => parseDatabaseUrl('sqlite://file.db')).toThrow(
      /postgres:\/\/, postgresql:\/\/, mysql:\/\/ or mariadb:\/\//,
    );
    const noDb = captured(() => parseDatabaseUrl('postgres://u:topsecret@host:5432/'));
    expect(noDb).toMatchObject({ code: 'SQL_BAD_URL' });
    expect(noDb.message).toMatch(/names no database/);
    expect(noDb.message).not.toContain('topsecret');
    const junk = captured(() => parseDatabaseUrl('postgres//u:topsecret@host'));
    expect(junk).toBeInstanceOf(SqlUrlError);
    expect(junk.message).not.toContain('topsecret');
    expect(captured(() => parseDatabaseUrl('mysql://u:%zz@h/db')).message).toMatch(
      /password .*percent-encoding/,
    );
  });
});

describe('createSqlStore without a server', () => {
  for (const scheme of ['postgres', 'mysql'] as const) {
    it(`should name the ${scheme} host, port and dialect when nothing answers, never the password`, async () => {
      const port = await freePort();
      const error = await createSqlStore(`${scheme}://u:topsecret@127.0.0.1:${port}/db`, {
        connectTimeoutMs: 5_000,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlConnectionError);
      const { message, code, data } = error as SqlConnectionError;
      expect(code).toBe('SQL_UNREACHABLE');
      expect(message).toContain(`127.0.0.1:${port}`);
      expect(message).toContain(scheme === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB');
      expect(message).not.toContain('topsecret');
      expect(data).toEqual({ dialect: scheme, host: '127.0.0.1', port, database: 'db' });
    });
  }

  it('should refuse a bad URL before connecting', async () => {
    await expect(createSqlStore('redis://localhost/0')).rejects.toBeInstanceOf(SqlUrlError);
  });
});

function captured(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}
