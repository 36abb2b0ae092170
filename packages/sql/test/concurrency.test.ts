import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StoredEvent } from '@troupe/core';
import { databaseSuite, type TestDatabaseKind } from '@troupe/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlStore, type SqlStore } from '../src/index.js';
import { run } from './support/fixtures.js';
import { type FreshDatabase, freshDatabase } from './support/freshDatabase.js';

const APPENDER = fileURLToPath(new URL('./fixtures/appender.ts', import.meta.url));

/** An appender process and the seqs it printed (each one committed). */
interface Appender {
  child: ChildProcess;
  committed: number[];
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startAppender(url: string, runId: string, tag: string, batches: string, size: number): Appender {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', APPENDER, url, runId, tag, batches, String(size)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const committed: number[] = [];
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'ready') onReady();
    else committed.push(Number(line));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, committed, ready, exited };
}

/** Every event of a run, page by page. */
async function allEvents(store: SqlStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.events(runId, { after, limit: 1000 });
    out.push(...page.events);
    if (page.nextAfter === undefined) return out;
    after = page.nextAfter;
  }
}

const messageOf = (e: StoredEvent) => (e.event.kind === 'task.log' ? e.event.message : '');

for (const kind of ['postgres', 'mariadb'] as const satisfies TestDatabaseKind[]) {
  await databaseSuite(kind, `SqlStore across processes on ${kind}`, (adminUrl) => {
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

    it('should give two processes appending to one run gapless, unique seqs, each in its own order', async () => {
      await store.createRun(run('shared', 1));
      const batches = 60;
      const size = 3;
      const writers = [
        startAppender(db.url, 'shared', 'a', String(batches), size),
        startAppender(db.url, 'shared', 'b', String(batches), size),
      ];
      await Promise.all(writers.map((w) => w.ready));
      for (const w of writers) w.child.stdin?.end('go\n');
      expect(await Promise.all(writers.map((w) => w.exited))).toEqual([0, 0]);

      const perWriter = Array.from({ length: batches }, (_, b) => (b % size) + 1).reduce((a, n) => a + n, 0);
      const events = await allEvents(store, 'shared');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 1));
      for (const tag of ['a', 'b']) {
        const mine = events.map(messageOf).filter((m) => m.startsWith(`${tag}:`));
        const expected = Array.from({ length: batches }, (_, b) =>
          Array.from({ length: (b % size) + 1 }, (_, i) => `${tag}:${b}:${i}`),
        ).flat();
        expect(mine).toEqual(expected);
      }
      // A batch is contiguous: nobody's events land inside another's append.
      const batchesSeen = events.map((e) => messageOf(e).split(':').slice(0, 2).join(':'));
      const runs = batchesSeen.filter((m, i) => m !== batchesSeen[i - 1]);
      expect(new Set(runs).size).toBe(runs.length);
      // The two really ran at once (otherwise this test proves nothing about locking).
      const switches = events.filter(
        (e, i) => i > 0 && messageOf(e)[0] !== messageOf(events[i - 1]!)[0],
      ).length;
      expect(switches).toBeGreaterThan(1);
      for (const w of writers) expect(w.committed).toEqual([...w.committed].sort((x, y) => x - y));
    }, 120_000);

    it('should keep every committed event when the writing process is SIGKILLed mid-append', async () => {
      await store.createRun(run('killed', 1));
      const writer = startAppender(db.url, 'killed', 'k', 'forever', 50);
      await writer.ready;
      writer.child.stdin?.end('go\n');
      await expect
        .poll(() => writer.committed.length, { timeout: 60_000, interval: 20 })
        .toBeGreaterThanOrEqual(20);
      writer.child.kill('SIGKILL');
      expect(await writer.exited).toBeNull();
      const printed = writer.committed.at(-1) ?? 0;

      // A fresh connection, as a restarted server would open.
      await using reopened = await createSqlStore(db.url);
      const events = await allEvents(reopened, 'killed');
      const last = events.at(-1)?.seq ?? 0;
      expect(last).toBeGreaterThanOrEqual(printed);
      // All or nothing per append: no half batch survived the kill.
      expect(last % 50).toBe(0);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      expect(events.map(messageOf)).toEqual(
        Array.from({ length: last / 50 }, (_, b) =>
          Array.from({ length: 50 }, (_, i) => `k:${b}:${i}`),
        ).flat(),
      );
      // The run stays writable: the killed session's lock died with it.
      expect(await reopened.appendEvents('killed', [events[0]!.event])).toBe(last + 1);
    }, 120_000);
  });
}
