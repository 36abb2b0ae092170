import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsKvStore } from '@troupe/nats';
import { databaseSuite, type NatsServer, natsSuite, startNatsServer } from '@troupe/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqlStore } from '../src/index.js';
import { event, run } from './support/fixtures.js';
import { type FreshDatabase, freshDatabase } from './support/freshDatabase.js';

// Large values by reference in the NATS object store: SqlStore spills to a NatsKvStore, which keeps
// values over its own threshold in JetStream's Object Store. One dialect is enough here; the
// spilling itself is dialect-free and covered on both in sqlStore.test.ts.
await databaseSuite('postgres', 'SqlStore with NATS for large values', (adminUrl) => {
  natsSuite('on a real nats-server', () => {
    let db: FreshDatabase;
    let server: NatsServer;
    let nc: NatsConnection;

    beforeAll(async () => {
      db = await freshDatabase('postgres', adminUrl);
      server = await startNatsServer();
      nc = await connect({ servers: server.url });
    });
    afterAll(async () => {
      await nc?.close();
      await server?.close();
      await db?.drop();
    });

    it('should keep large values and events in the NATS object store, by reference', async () => {
      await using blobs = await NatsKvStore.open({ nc, bucket: 'sql_blobs', largeValueThreshold: 1024 });
      await using store = await SqlStore.open({ url: db.url, blobs, blobThresholdBytes: 1024 });
      const os = await new Objm(nc).create('sql_blobs_large');
      const objects = async () => (await os.list()).filter((o) => !o.deleted).length;

      const artifact = { name: 'report.md', content: '# report\n'.repeat(2_000) };
      await store.set('artifacts/r1/report', artifact);
      expect(await store.get('artifacts/r1/report')).toEqual(artifact);
      const [row] = await db.query("select value, blob_ref from troupe_kv where key = 'artifacts/r1/report'");
      expect(row).toMatchObject({ value: null, blob_ref: expect.stringMatching(/^blobs\/kv\//) });
      expect(await blobs.keys('blobs/kv/')).toEqual([row?.blob_ref]);
      expect(await objects()).toBe(1);

      await store.createRun(run('r1', 1));
      const big = event('r1', 1, 'w'.repeat(4_000));
      await store.appendEvents('r1', [big, event('r1', 2)]);
      expect((await store.events('r1')).events.map((e) => e.event)).toEqual([big, event('r1', 2)]);
      expect(await objects()).toBe(2);

      await store.delete('artifacts/r1/report');
      expect(await blobs.keys('blobs/kv/')).toEqual([]);
      expect(await objects()).toBe(1);
    });
  });
});
