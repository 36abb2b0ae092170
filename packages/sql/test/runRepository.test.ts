import { type RunRecord, ValidationError } from '@troupe/core';
import { databaseSuite, type TestDatabaseKind } from '@troupe/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlStore, RunExistsError, RunNotFoundError, type SqlStore } from '../src/index.js';
import { event, run } from './support/fixtures.js';
import { type FreshDatabase, freshDatabase } from './support/freshDatabase.js';

for (const kind of ['postgres', 'mariadb'] as const satisfies TestDatabaseKind[]) {
  await databaseSuite(kind, `SqlStore as a RunRepository on ${kind}`, (adminUrl) => {
    let db: FreshDatabase;
    let store: SqlStore;

    beforeAll(async () => {
      db = await freshDatabase(kind, adminUrl);
      store = await createSqlStore(db.url);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('should store a run and read it back field for field', async () => {
      const full: RunRecord = run('r-full', 1_700_000_000_123, {
        workflow: 'deploy',
        status: 'failed',
        progress: 0.25,
        costUsd: 0.0123,
        tokens: { input: 1234, output: 56 },
        error: { code: 'TIMEOUT', message: 'timed out' },
      });
      await store.createRun(full);
      expect(await store.getRun('r-full')).toEqual(full);
      expect(await store.getRun('never')).toBeUndefined();
    });

    it('should refuse a second run with the same id', async () => {
      await store.createRun(run('r-dup', 1));
      const error = await store.createRun(run('r-dup', 2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunExistsError);
      expect(error).toMatchObject({ code: 'CONFLICT' });
      expect((await store.getRun('r-dup'))?.createdAt).toBe(1);
    });

    it('should keep ids that differ only in trailing spaces apart', async () => {
      await store.createRun(run('pad', 1));
      await store.createRun(run('pad ', 2));
      expect((await store.getRun('pad'))?.createdAt).toBe(1);
      expect((await store.getRun('pad '))?.createdAt).toBe(2);
    });

    it('should refuse a malformed run, naming the field', async () => {
      const error = await store.createRun({ ...run('r-bad', 1), progress: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).path).toBe('progress');
      await expect(store.createRun({ ...run('r-bad', 1), status: 'bogus' as never })).rejects.toMatchObject({
        issues: [{ path: 'status' }],
      });
      expect(await store.getRun('r-bad')).toBeUndefined();
    });

    it('should apply patches, clear the error with error: undefined, and 404 an unknown run', async () => {
      await store.createRun(run('r-patch', 10, { error: { code: 'X', message: 'x' } }));
      await store.updateRun('r-patch', {
        status: 'completed',
        progress: 1,
        updatedAt: 20,
        tokens: { input: 5, output: 6 },
      });
      // The contract's patch type cannot say `error: undefined` under exactOptionalPropertyTypes; JSON
      // callers and looser configs can, and it clears the error.
      const clear = { error: undefined, costUsd: 1.5 } as unknown as Partial<RunRecord>;
      await store.updateRun('r-patch', clear);
      expect(await store.getRun('r-patch')).toEqual(
        run('r-patch', 10, {
          status: 'completed',
          progress: 1,
          updatedAt: 20,
          tokens: { input: 5, output: 6 },
          costUsd: 1.5,
        }),
      );
      // Changing nothing is not "not found" (MySQL reports 0 changed rows for it).
      await store.updateRun('r-patch', { status: 'completed' });
      await store.updateRun('r-patch', {});
      await expect(store.updateRun('nope', { status: 'running' })).rejects.toBeInstanceOf(RunNotFoundError);
      await expect(store.updateRun('nope', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(store.updateRun('r-patch', { progress: -1 })).rejects.toBeInstanceOf(ValidationError);
    });

    it('should list runs newest first in keyset pages, ties broken by id, filtered by status', async () => {
      const created: RunRecord[] = [];
      for (let i = 0; i < 23; i++) {
        // Pairs share a createdAt, so the id decides their order.
        const r = run(`list-${String(i).padStart(2, '0')}`, 1_000 + Math.floor(i / 2), {
          status: i % 3 === 0 ? 'completed' : i % 3 === 1 ? 'failed' : 'running',
        });
        created.push(r);
        await store.createRun(r);
      }
      const expected = [...created].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      const seen: RunRecord[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listRuns({
          limit: 5,
          ...(cursor === undefined ? {} : { cursor }),
          status: ['completed', 'failed', 'running'],
        });
        expect(page.runs.length).toBeLessThanOrEqual(5);
        seen.push(...page.runs.filter((r) => r.id.startsWith('list-')));
        cursor = page.nextCursor;
        if (++pages === 1) await store.createRun(run('list-late', 2_000_000_000_000)); // newer than the cursor: not in later pages
      } while (cursor !== undefined);
      expect(seen).toEqual(expected);
      const done = await store.listRuns({ status: ['completed', 'failed'], limit: 500 });
      expect(done.runs.filter((r) => r.id.startsWith('list-')).map((r) => r.id)).toEqual(
        expected.filter((r) => r.status !== 'running').map((r) => r.id),
      );
      expect(done.nextCursor).toBeUndefined();
      expect((await store.listRuns({ limit: 1 })).runs.map((r) => r.id)).toEqual(['list-late']);
    });

    it('should refuse a cursor it did not hand out and a limit below 1', async () => {
      await expect(store.listRuns({ cursor: 'bogus' })).rejects.toMatchObject({
        issues: [{ path: 'cursor' }],
      });
      await expect(store.listRuns({ limit: 0 })).rejects.toMatchObject({ issues: [{ path: 'limit' }] });
      await expect(store.listRuns({ status: ['running', 'bogus' as never] })).rejects.toMatchObject({
        issues: [{ path: '1' }],
      });
      await expect(store.events('x', { limit: 1.5 })).rejects.toMatchObject({ issues: [{ path: 'limit' }] });
      await expect(store.events('x', { after: -1 })).rejects.toMatchObject({ issues: [{ path: 'after' }] });
    });

    it('should number appended events from 1 without gaps and page them by seq', async () => {
      await store.createRun(run('r-ev', 1));
      expect(await store.appendEvents('r-ev', [])).toBe(0);
      expect(await store.appendEvents('r-ev', [event('r-ev', 1), event('r-ev', 2)])).toBe(2);
      expect(await store.appendEvents('r-ev', [event('r-ev', 3)])).toBe(3);
      expect(await store.appendEvents('r-ev', [])).toBe(3);
      expect(await store.events('r-ev')).toEqual({
        events: [1, 2, 3].map((seq) => ({ seq, event: event('r-ev', seq) })),
      });
      const first = await store.events('r-ev', { limit: 2 });
      expect(first.events.map((e) => e.seq)).toEqual([1, 2]);
      expect(first.nextAfter).toBe(2);
      const second = await store.events('r-ev', { after: first.nextAfter ?? 0, limit: 2 });
      expect(second).toEqual({ events: [{ seq: 3, event: event('r-ev', 3) }] });
      expect(await store.events('r-ev', { after: 3 })).toEqual({ events: [] });
      expect(await store.events('no-such-run')).toEqual({ events: [] });
      await expect(store.appendEvents('no-such-run', [event('x', 1)])).rejects.toBeInstanceOf(
        RunNotFoundError,
      );
    });

    it('should keep the latest snapshot of a run', async () => {
      expect(await store.getSnapshot('r-snap')).toBeUndefined();
      const a = { taskId: 'r-snap', overallProgress: 10 } as never;
      const b = { taskId: 'r-snap', overallProgress: 60, subtasks: [{ id: 't1' }] } as never;
      await store.saveSnapshot('r-snap', a);
      await store.saveSnapshot('r-snap', b);
      expect(await store.getSnapshot('r-snap')).toEqual(b);
    });

    it('should refuse every call once closed', async () => {
      const other = await createSqlStore(db.url);
      await other.close();
      await expect(other.getRun('r-full')).rejects.toMatchObject({ code: 'CLOSED' });
      await expect(other.appendEvents('r-ev', [])).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });
}
