import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, PayloadTooLargeError } from '@troupe/core';
import { databaseSuite, type TestDatabaseKind } from '@troupe/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqlStore, FileBlobStore, SqlStore } from '../src/index.js';
import { event, run } from './support/fixtures.js';
import { type FreshDatabase, freshDatabase } from './support/freshDatabase.js';
import { storeContract } from './support/storeContract.js';

describe('FileBlobStore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  storeContract(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-blobs-'));
    dirs.push(dir);
    return new FileBlobStore({ dir });
  });
});

describe('MemoryStore (the contract checks itself against the reference store)', () => {
  storeContract(async () => new MemoryStore());
});

for (const kind of ['postgres', 'mariadb'] as const satisfies TestDatabaseKind[]) {
  await databaseSuite(kind, `SqlStore on ${kind}`, (adminUrl) => {
    let db: FreshDatabase;
    let blobDir: string;

    beforeAll(async () => {
      db = await freshDatabase(kind, adminUrl);
    });
    afterAll(async () => {
      await db?.drop();
    });
    beforeEach(async () => {
      blobDir = await mkdtemp(join(tmpdir(), 'troupe-sql-blobs-'));
    });
    afterEach(async () => {
      await rm(blobDir, { recursive: true, force: true });
    });

    describe('Store contract', () => {
      storeContract(async () => {
        const store = await createSqlStore(db.url);
        for (const key of await store.keys()) await store.delete(key);
        return store;
      });
    });

    it('should pick the dialect from the URL scheme', async () => {
      await using store = await createSqlStore(db.url);
      expect(store.dialect).toBe(kind === 'postgres' ? 'postgres' : 'mysql');
      if (kind === 'mariadb') {
        await using again = await createSqlStore(db.url.replace(/^mysql:/, 'mariadb:'));
        expect(again.dialect).toBe('mysql');
      } else {
        await using again = await createSqlStore(db.url.replace(/^postgres:/, 'postgresql:'));
        expect(again.dialect).toBe('postgres');
      }
    });

    it('should migrate once: opening again, even concurrently, changes nothing', async () => {
      const stores = await Promise.all([
        createSqlStore(db.url),
        createSqlStore(db.url),
        createSqlStore(db.url),
      ]);
      await Promise.all(stores.map((s) => s.close()));
      await (await createSqlStore(db.url)).close();
      const rows = await db.query('select name from troupe_migrations');
      expect(rows.map((r) => r.name)).toEqual(['0001_initial']);
    });

    it('should keep what was written across close and reopen', async () => {
      const first = await createSqlStore(db.url);
      await first.set('restart/a', { ok: true });
      await first.set('restart/b', 'gone');
      await first.delete('restart/b');
      await first.close();
      await expect(first.get('restart/a')).rejects.toMatchObject({ code: 'CLOSED' });
      await using second = await createSqlStore(db.url);
      expect(await second.get('restart/a')).toEqual({ ok: true });
      expect(await second.keys('restart/')).toEqual(['restart/a']);
    });

    it('should keep values over the threshold in the blob directory, by reference, and drop replaced blobs', async () => {
      await using store = await SqlStore.open({ url: db.url, blobs: blobDir, blobThresholdBytes: 1024 });
      const big = { text: 'x'.repeat(5000), n: 1 };
      await store.set('blob/k', big);
      expect(await store.get('blob/k')).toEqual(big);
      const [row] = await db.query(
        "select value, blob_ref from troupe_kv where key = 'blob/k'".replace('key', kindKey(kind)),
      );
      expect(row?.value).toBeNull();
      expect(row?.blob_ref).toMatch(/^blobs\/kv\//);
      expect(await readdir(blobDir)).toHaveLength(1);
      await store.set('blob/k', { ...big, n: 2 });
      expect(await store.get('blob/k')).toEqual({ ...big, n: 2 });
      expect(await readdir(blobDir)).toHaveLength(1);
      await store.set('blob/k', 'small now');
      expect(await readdir(blobDir)).toHaveLength(0);
      expect(await store.setIfAbsent('blob/k', big)).toBe(false);
      expect(await readdir(blobDir)).toHaveLength(0);
      await store.set('blob/k2', big);
      await store.delete('blob/k2');
      expect(await readdir(blobDir)).toHaveLength(0);
      expect(await store.get('blob/k')).toBe('small now');
    });

    it('should keep large events and snapshots in any Store given as blobs', async () => {
      const blobs = new MemoryStore();
      await using store = await SqlStore.open({ url: db.url, blobs, blobThresholdBytes: 512 });
      await store.createRun(run('blob-run', 1));
      const large = { ...event('blob-run', 2), message: 'y'.repeat(2000) };
      await store.appendEvents('blob-run', [event('blob-run', 1), large]);
      expect((await store.events('blob-run')).events.map((e) => e.event)).toEqual([
        event('blob-run', 1),
        large,
      ]);
      const snapshot = { taskId: 'blob-run', logs: ['z'.repeat(2000)] } as never;
      await store.saveSnapshot('blob-run', snapshot);
      expect(await store.getSnapshot('blob-run')).toEqual(snapshot);
      expect((await blobs.keys()).map((k) => k.split('/')[1]).sort()).toEqual(['event', 'snapshot']);
      const events = await db.query(
        "select event, blob_ref from troupe_run_events where run_id = 'blob-run' order by seq",
      );
      expect(events.map((e) => e.event === null)).toEqual([false, true]);
      await store.saveSnapshot('blob-run', { taskId: 'blob-run' } as never);
      expect((await blobs.keys()).map((k) => k.split('/')[1])).toEqual(['event']);
    });

    it('should refuse a value over the threshold when no blob store is configured', async () => {
      await using store = await SqlStore.open({ url: db.url, blobThresholdBytes: 150 });
      const error = await store.set('too/big', 'q'.repeat(200)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect((error as Error).message).toMatch(/too\/big.*blobThresholdBytes \(150\).*pass `blobs`/);
      expect(await store.get('too/big')).toBeUndefined();
      await store.createRun(run('too-big-run', 1));
      const events = [event('too-big-run', 1), event('too-big-run', 2, 'q'.repeat(200))];
      await expect(store.appendEvents('too-big-run', events)).rejects.toBeInstanceOf(PayloadTooLargeError);
      // All or nothing: the small event before the large one was not appended either.
      expect(await store.events('too-big-run')).toEqual({ events: [] });
      expect(await store.appendEvents('too-big-run', [event('too-big-run', 1)])).toBe(1);
    });

    it('should refuse a wrong password without printing it', async () => {
      if (kind === 'postgres') return; // trust auth on this machine accepts any password
      const url = new URL(db.url);
      url.password = 'hunter2-secret';
      const error = await createSqlStore(url.toString()).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'SqlConnectionError', code: 'SQL_UNREACHABLE' });
      expect((error as Error).message).toContain('127.0.0.1:3306');
      expect((error as Error).message).toContain('MySQL/MariaDB');
      expect((error as Error).message).not.toContain('hunter2');
      expect(JSON.stringify((error as { data: unknown }).data)).not.toContain('hunter2');
    });
  });
}

/** `key` is a reserved word in MySQL. */
function kindKey(kind: TestDatabaseKind): string {
  return kind === 'postgres' ? 'key' : '`key`';
}
