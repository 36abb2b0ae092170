import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClosedError } from '../src/errors/errors.js';
import { FileStore } from '../src/store/FileStore.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-filestore-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileStore', () => {
  it('should get, set, delete and list keys by prefix, sorted', async () => {
    await using store = await FileStore.open({ dir });
    expect(await store.get('runs/r1/a')).toBeUndefined();
    await store.set('runs/r1/b', { n: 2 });
    await store.set('runs/r1/a', [1, 'x']);
    await store.set('runs/r2/a', null);
    await store.set('top', 'level');
    expect(await store.get('runs/r1/a')).toEqual([1, 'x']);
    expect(await store.get('runs/r2/a')).toBeNull();
    expect(await store.keys('runs/r1/')).toEqual(['runs/r1/a', 'runs/r1/b']);
    expect(await store.keys()).toEqual(['runs/r1/a', 'runs/r1/b', 'runs/r2/a', 'top']);
    await store.delete('runs/r1/a');
    await store.delete('never/there');
    expect(await store.get('runs/r1/a')).toBeUndefined();
    expect(await store.keys('runs/')).toEqual(['runs/r1/b', 'runs/r2/a']);
  });

  it('should hand out copies, so callers cannot alias stored values', async () => {
    await using store = await FileStore.open({ dir });
    const value = { list: [1] };
    await store.set('k', value);
    value.list.push(2);
    const read = await store.get<{ list: number[] }>('k');
    read?.list.push(3);
    expect(await store.get('k')).toEqual({ list: [1] });
  });

  it('should let exactly one of many concurrent setIfAbsent calls win', async () => {
    await using store = await FileStore.open({ dir });
    const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setIfAbsent('results/t1', i)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.get('results/t1')).toBe(wins.indexOf(true));
    await store.delete('results/t1');
    expect(await store.setIfAbsent('results/t1', 'again')).toBe(true);
  });

  it('should keep the data across a restart on the same directory', async () => {
    const first = await FileStore.open({ dir });
    await first.set('runs/r1/t1', { ok: true });
    await first.set('runs/r1/t2', 'gone');
    await first.delete('runs/r1/t2');
    await first.set('plain', 42);
    await first.close();
    await using second = await FileStore.open({ dir });
    expect(await second.get('runs/r1/t1')).toEqual({ ok: true });
    expect(await second.get('runs/r1/t2')).toBeUndefined();
    expect(await second.get('plain')).toBe(42);
    expect(await second.setIfAbsent('runs/r1/t1', 'other')).toBe(false);
  });

  it('should keep one JSON-lines log per first key segment', async () => {
    const store = await FileStore.open({ dir });
    await store.set('runs/r1', 1);
    await store.set('results/t1', 2);
    await store.set('loose', 3);
    await store.close();
    expect((await readdir(dir)).sort()).toEqual(['_root.jsonl', 'results.jsonl', 'runs.jsonl']);
    expect(await readFile(join(dir, 'runs.jsonl'), 'utf8')).toBe('{"k":"runs/r1","v":1}\n');
  });

  it('should compact a log on open when it holds overwritten or deleted lines', async () => {
    const store = await FileStore.open({ dir });
    for (let i = 0; i < 100; i++) await store.set('runs/x', i);
    await store.set('runs/y', 'gone');
    await store.delete('runs/y');
    await store.close();
    const before = (await stat(join(dir, 'runs.jsonl'))).size;
    await using reopened = await FileStore.open({ dir });
    const text = await readFile(join(dir, 'runs.jsonl'), 'utf8');
    expect(text).toBe('{"k":"runs/x","v":99}\n');
    expect(text.length).toBeLessThan(before);
    expect(await reopened.get('runs/x')).toBe(99);
  });

  it('should compact while open once the log outgrows its live size', async () => {
    await using store = await FileStore.open({ dir, compactRatio: 2, compactMinBytes: 1024 });
    for (let i = 0; i < 500; i++) await store.set('runs/hot', { i, pad: 'x'.repeat(20) });
    const size = (await stat(join(dir, 'runs.jsonl'))).size;
    expect(size).toBeLessThan(2048);
    expect(await store.get('runs/hot')).toEqual({ i: 499, pad: 'x'.repeat(20) });
  });

  it('should drop a torn last line left by a crash and keep the rest', async () => {
    await writeFile(join(dir, 'runs.jsonl'), '{"k":"runs/a","v":1}\n');
    await appendFile(join(dir, 'runs.jsonl'), '{"k":"runs/b","v":{"half');
    await using store = await FileStore.open({ dir });
    expect(await store.keys()).toEqual(['runs/a']);
    await store.set('runs/c', 3);
    await store.close();
    await using again = await FileStore.open({ dir });
    expect(await again.keys()).toEqual(['runs/a', 'runs/c']);
  });

  it('should batch many concurrent writes and keep them all', async () => {
    const store = await FileStore.open({ dir });
    await Promise.all(Array.from({ length: 2_000 }, (_, i) => store.set(`tasks/${i}`, { i })));
    await store.close();
    await using again = await FileStore.open({ dir });
    expect(await again.keys('tasks/')).toHaveLength(2_000);
    expect(await again.get('tasks/1999')).toEqual({ i: 1999 });
  });

  it('should refuse work after close, and close idempotently', async () => {
    const store = await FileStore.open({ dir });
    await store.set('a', 1);
    await Promise.all([store.close(), store.close()]);
    await expect(store.get('a')).rejects.toBeInstanceOf(ClosedError);
    await expect(store.set('a', 2)).rejects.toBeInstanceOf(ClosedError);
  });

  it('should finish queued writes before close resolves', async () => {
    const store = new FileStore({ dir });
    const writes = Array.from({ length: 100 }, (_, i) => store.set(`q/${i}`, i));
    await store.close();
    await Promise.all(writes);
    const text = await readFile(join(dir, 'q.jsonl'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(100);
  });
});
