import type { Store } from '@troupe/core';
import { expect, it } from 'vitest';

/**
 * The behaviour every `Store` owes its callers (the doc comments of core's `Store`), as tests: call it
 * inside a `describe`, with a function opening a fresh, empty store each time.
 */
export function storeContract(open: () => Promise<Store>): void {
  it('should get, set, delete and list keys by prefix, sorted', async () => {
    const store = await open();
    try {
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
      expect(await store.keys('runs/r1/')).toEqual(['runs/r1/b']);
    } finally {
      await store.close();
    }
  });

  it('should treat LIKE wildcards in a prefix as plain characters', async () => {
    const store = await open();
    try {
      await store.set('a_b/1', 1);
      await store.set('axb/1', 2);
      await store.set('a%b/1', 3);
      await store.set('a!b/1', 4);
      expect(await store.keys('a_')).toEqual(['a_b/1']);
      expect(await store.keys('a%')).toEqual(['a%b/1']);
      expect(await store.keys('a!')).toEqual(['a!b/1']);
    } finally {
      await store.close();
    }
  });

  it('should keep every JSON value as written, and store undefined as null', async () => {
    const store = await open();
    try {
      const values: unknown[] = [
        0,
        -1.5,
        1e300,
        true,
        false,
        '',
        'ünï çødé 😀',
        [],
        {},
        { a: { b: [1, null, 'x'] } },
      ];
      for (const [i, value] of values.entries()) await store.set(`v/${i}`, value);
      for (const [i, value] of values.entries()) expect(await store.get(`v/${i}`)).toEqual(value);
      await store.set('v/undefined', undefined);
      expect(await store.get('v/undefined')).toBeNull();
      expect(await store.keys('v/')).toHaveLength(values.length + 1);
    } finally {
      await store.close();
    }
  });

  it('should hand out copies, so callers cannot alias stored values', async () => {
    const store = await open();
    try {
      const value = { list: [1] };
      await store.set('k', value);
      value.list.push(2);
      const read = await store.get<{ list: number[] }>('k');
      read?.list.push(3);
      expect(await store.get('k')).toEqual({ list: [1] });
    } finally {
      await store.close();
    }
  });

  it('should let exactly one of many concurrent setIfAbsent calls win', async () => {
    const store = await open();
    try {
      const wins = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.setIfAbsent('results/t1', i)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.get('results/t1')).toBe(wins.indexOf(true));
      expect(await store.setIfAbsent('results/t1', 'later')).toBe(false);
      await store.delete('results/t1');
      expect(await store.setIfAbsent('results/t1', 'again')).toBe(true);
      expect(await store.get('results/t1')).toBe('again');
    } finally {
      await store.close();
    }
  });

  it('should keep the last of many concurrent writes to one key', async () => {
    const store = await open();
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('hot', i)));
      expect(await store.get<number>('hot')).toBeTypeOf('number');
      await store.set('hot', 'final');
      expect(await store.get('hot')).toBe('final');
    } finally {
      await store.close();
    }
  });

  it('should close idempotently', async () => {
    const store = await open();
    await store.close();
    await store.close();
  });
}
