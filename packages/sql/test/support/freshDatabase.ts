import { randomBytes } from 'node:crypto';
import type { TestDatabaseKind } from '@troupe/testing';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** A database of its own for one test file, on a shared server; `drop()` removes it. */
export interface FreshDatabase {
  /** URL of the fresh database (same server, user and password as the admin URL). */
  url: string;
  name: string;
  /** Runs one statement on the fresh database and returns its rows (for looking behind the store). */
  query(statement: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** Creates `troupe_t_<pid>_<random>` on the server of `adminUrl`, so test files running in parallel never share tables. */
export async function freshDatabase(kind: TestDatabaseKind, adminUrl: string): Promise<FreshDatabase> {
  const name = `troupe_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await admin(kind, adminUrl, `create database ${name}`);
  return {
    url: url.toString(),
    name,
    query: (statement) => admin(kind, url.toString(), statement),
    drop: async () => {
      await admin(
        kind,
        adminUrl,
        `drop database if exists ${name}${kind === 'postgres' ? ' with (force)' : ''}`,
      );
    },
  };
}

async function admin(
  kind: TestDatabaseKind,
  adminUrl: string,
  statement: string,
): Promise<Record<string, unknown>[]> {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return (await client.query(statement)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
  const url = new URL(adminUrl);
  const conn = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...(url.pathname.length > 1 ? { database: url.pathname.slice(1) } : {}),
  });
  try {
    const [rows] = await conn.query(statement);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await conn.end();
  }
}
