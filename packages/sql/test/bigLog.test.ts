import { performance } from 'node:perf_hooks';
import { databaseSuite, type TestDatabaseKind } from '@troupe/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlStore, type SqlStore } from '../src/index.js';
import { event, run } from './support/fixtures.js';
import { type FreshDatabase, freshDatabase } from './support/freshDatabase.js';

const TOTAL = 100_000;
const BATCH = 1_000;
const PAGE = 5_000;

for (const kind of ['postgres', 'mariadb'] as const satisfies TestDatabaseKind[]) {
  await databaseSuite(kind, `SqlStore with 100k events in one run on ${kind}`, (adminUrl) => {
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

    it('should list 100k events of one run in bounded pages, by index range, never all at once', async () => {
      await store.createRun(run('big', 1));
      const t0 = performance.now();
      for (let from = 1; from <= TOTAL; from += BATCH) {
        const batch = Array.from({ length: BATCH }, (_, i) => event('big', from + i));
        expect(await store.appendEvents('big', batch)).toBe(from + BATCH - 1);
      }
      const t1 = performance.now();

      let after = 0;
      let pages = 0;
      let largest = 0;
      for (;;) {
        const page = await store.events('big', { after, limit: 10 * PAGE }); // asks too much: capped at 5000
        pages++;
        largest = Math.max(largest, page.events.length);
        expect(page.events.length).toBeLessThanOrEqual(PAGE);
        expect(page.events[0]?.seq).toBe(after + 1);
        expect(page.events.at(-1)?.event).toEqual(event('big', after + page.events.length));
        after += page.events.length;
        if (page.nextAfter === undefined) break;
        expect(page.nextAfter).toBe(after);
      }
      const t2 = performance.now();
      expect(after).toBe(TOTAL);
      expect(pages).toBe(TOTAL / PAGE);
      expect(largest).toBe(PAGE);

      // A deep page is an index range scan on (run_id, seq): no sort, no scan of the earlier 95k rows.
      const query = `select seq, event, blob_ref from troupe_run_events where run_id = 'big' and seq > 95000 order by seq limit 501`;
      if (kind === 'postgres') {
        // Fresh statistics, as autovacuum would gather them after a bulk load.
        await db.query('analyze troupe_run_events');
        const plan = (await db.query(`explain ${query}`)).map((r) => String(r['QUERY PLAN'])).join('\n');
        expect(plan).toMatch(/Index Scan using troupe_run_events_pk/);
        expect(plan).not.toMatch(/Sort|Seq Scan/);
      } else {
        const [plan] = await db.query(`explain ${query}`);
        expect(plan).toMatchObject({ type: 'range', key: 'PRIMARY' });
        expect(String(plan?.Extra ?? '')).not.toMatch(/filesort/);
      }
      const t3 = performance.now();
      const tail = await store.events('big', { after: TOTAL - 10 });
      const t4 = performance.now();
      expect(tail.events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => TOTAL - 9 + i));
      process.stdout.write(
        `[sql ${kind}] 100k events: append ${BATCH}/call ${(t1 - t0).toFixed(0)} ms, ` +
          `read ${pages} pages of ${PAGE} ${(t2 - t1).toFixed(0)} ms, tail page ${(t4 - t3).toFixed(1)} ms\n`,
      );
    }, 300_000);
  });
}
