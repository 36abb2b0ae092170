import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClosedError } from '@troupe/core';
import { type NatsServer, natsSuite, startNatsServer } from '@troupe/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKey, encodeKey, prefixFilter } from '../src/store/kvKeys.js';
import { NatsKvStore } from '../src/store/NatsKvStore.js';

describe('kvKeys', () => {
  it('should map store keys to legal KV keys and back', () => {
    const keys = ['runs/r1/t1', 'a.b/c:d', 'x=y', 'trailing/', '/leading', 'a//b', '', 'ünï/çødé', 'k_-9'];
    for (const key of keys) {
      const kvKey = encodeKey(key);
      expect(kvKey).toMatch(/^[-=.\w]+$/);
      expect(kvKey.startsWith('.') || kvKey.endsWith('.') || kvKey.includes('..')).toBe(false);
      expect(decodeKey(kvKey)).toBe(key);
    }
    expect(encodeKey('runs/r:1/a.b')).toBe('runs.r=3a1.a=2eb');
  });

  it('should keep distinct keys distinct', () => {
    const keys = ['a=2e', 'a.', 'a/', 'a', 'a=', '=', ''];
    expect(new Set(keys.map(encodeKey)).size).toBe(keys.length);
  });

  it('should filter by the complete segments of a prefix', () => {
    expect(prefixFilter('')).toBe('>');
    expect(prefixFilter('runs')).toBe('>');
    expect(prefixFilter('runs/')).toBe('runs.>');
    expect(prefixFilter('runs/r:1/t')).toBe('runs.r=3a1.>');
  });
});

natsSuite('NatsKvStore', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let n = 0;
  const open = (options: { largeValueThreshold?: number } = {}) =>
    NatsKvStore.open({ nc, bucket: `kv_test_${++n}`, ...options });

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.close();
  });

  it('should get, set, delete and list keys by prefix, sorted', async () => {
    await using store = await open();
    expect(await store.get('runs/r1/a')).toBeUndefined();
    await store.set('runs/r1/b', { n: 2 });
    await store.set('runs/r1/a', [1, 'x']);
    await store.set('runs/r10/a', null);
    await store.set('runs/r:2/a.b', 'dotted');
    await store.set('top', 'level');
    expect(await store.get('runs/r1/a')).toEqual([1, 'x']);
    expect(await store.get('runs/r10/a')).toBeNull();
    expect(await store.get('runs/r:2/a.b')).toBe('dotted');
    expect(await store.keys('runs/r1/')).toEqual(['runs/r1/a', 'runs/r1/b']);
    expect(await store.keys('runs/r1')).toEqual(['runs/r1/a', 'runs/r1/b', 'runs/r10/a']);
    expect(await store.keys()).toEqual(['runs/r1/a', 'runs/r1/b', 'runs/r10/a', 'runs/r:2/a.b', 'top']);
    await store.delete('runs/r1/a');
    await store.delete('never/there');
    expect(await store.get('runs/r1/a')).toBeUndefined();
    expect(await store.has('runs/r1/a')).toBe(false);
    expect(await store.has('runs/r1/b')).toBe(true);
    expect(await store.keys('runs/r1/')).toEqual(['runs/r1/b']);
  });

  it('should let exactly one of two concurrent creates from two connections win', async () => {
    const nc2 = await connect({ servers: server.url });
    try {
      const bucket = `kv_race_${++n}`;
      await using a = await NatsKvStore.open({ nc, bucket });
      await using b = await NatsKvStore.open({ nc: nc2, bucket });
      for (let round = 0; round < 20; round++) {
        const key = `results/t${round}`;
        const wins = await Promise.all([a.setIfAbsent(key, 'a'), b.setIfAbsent(key, 'b')]);
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await a.get(key)).toBe(wins[0] ? 'a' : 'b');
      }
    } finally {
      await nc2.close();
    }
  });

  it('should let exactly one of many concurrent setIfAbsent calls win, and again after a delete', async () => {
    await using store = await open();
    const wins = await Promise.all(Array.from({ length: 25 }, (_, i) => store.setIfAbsent('once', i)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.get('once')).toBe(wins.indexOf(true));
    await store.delete('once');
    const again = await Promise.all([store.setIfAbsent('once', 'x'), store.setIfAbsent('once', 'y')]);
    expect(again.filter(Boolean)).toHaveLength(1);
  });

  it('should keep values above the server max payload in the Object Store, transparently', async () => {
    await using store = await open();
    const big = { blob: 'x'.repeat(2 * 1024 * 1024), n: 1 };
    await store.set('big/one', big);
    expect(await store.get('big/one')).toEqual(big);
    expect(await store.keys('big/')).toEqual(['big/one']);
    const kv = await new Kvm(nc).create(store.bucket);
    const raw = (await kv.get(encodeKey('big/one')))?.string() ?? '';
    expect(raw.startsWith('@')).toBe(true);
    expect(raw.length).toBeLessThan(200);
  });

  it('should route values over the threshold by reference and clean replaced objects up', async () => {
    await using store = await open({ largeValueThreshold: 1024 });
    const os = await new Objm(nc).create(`${store.bucket}_large`);
    const objects = async () => {
      const list = await os.list();
      return list.filter((o) => !o.deleted).length;
    };
    await store.set('k', 'y'.repeat(5_000));
    expect(await store.get('k')).toBe('y'.repeat(5_000));
    expect(await objects()).toBe(1);
    await store.set('k', 'z'.repeat(6_000));
    expect(await store.get('k')).toBe('z'.repeat(6_000));
    expect(await objects()).toBe(1);
    await store.set('k', 'small');
    expect(await objects()).toBe(0);
    const wins = await Promise.all([
      store.setIfAbsent('race', 'a'.repeat(4_000)),
      store.setIfAbsent('race', 'b'.repeat(4_000)),
    ]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await objects()).toBe(1);
    expect(await store.get('race')).toBe((wins[0] ? 'a' : 'b').repeat(4_000));
    await store.delete('race');
    expect(await objects()).toBe(0);
  });

  it('should watch changes under a prefix, large values included', async () => {
    await using store = await open({ largeValueThreshold: 1024 });
    await store.set('w/old', 1);
    const watch = await store.watch({ prefix: 'w/' });
    const seen: Array<[string, string, unknown]> = [];
    const reading = (async () => {
      for await (const change of watch) {
        seen.push([change.operation, change.key, await change.value()]);
        if (seen.length === 3) watch.stop();
      }
    })();
    await store.set('other', 'ignored');
    await store.set('w/a', 2);
    await store.set('w/big', 'q'.repeat(3_000));
    await store.delete('w/a');
    await reading;
    expect(seen).toEqual([
      ['put', 'w/a', 2],
      ['put', 'w/big', 'q'.repeat(3_000)],
      ['delete', 'w/a', undefined],
    ]);
  });

  it('should keep data across a server restart', async () => {
    await using local = await startNatsServer();
    const conn = await connect({ servers: local.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      await using store = await NatsKvStore.open({ nc: conn, bucket: 'durable' });
      await store.set('runs/r1', { ok: true });
      await local.restart();
      await expect.poll(() => store.get('runs/r1'), { timeout: 10_000, interval: 100 }).toEqual({ ok: true });
      expect(await store.setIfAbsent('runs/r1', 'again')).toBe(false);
    } finally {
      await conn.close();
    }
  });

  it('should close idempotently and refuse work afterwards', async () => {
    const store = await open();
    await store.set('a', 1);
    await Promise.all([store.close(), store.close()]);
    await expect(store.get('a')).rejects.toBeInstanceOf(ClosedError);
  });
});
