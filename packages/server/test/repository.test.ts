import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProgressEvent } from '@troupe/core';
import { FileRunRepository, MemoryRunRepository, type RunRecord, type RunRepository } from '@troupe/server';
import { afterEach, describe, expect, it } from 'vitest';

const run = (id: string, createdAt: number, status: RunRecord['status'] = 'running'): RunRecord => ({
  id,
  goal: `goal ${id}`,
  status,
  createdAt,
  updatedAt: createdAt,
  progress: 0,
  costUsd: 0,
  tokens: { input: 0, output: 0 },
});
const log = (id: string, i: number): ProgressEvent => ({
  kind: 'task.log',
  level: 'info',
  message: `m${i}`,
  runId: id,
  taskId: 't',
  ts: i,
  seq: i,
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'troupe-server-'));
  dirs.push(d);
  return d;
}

const kinds: Array<[string, () => Promise<RunRepository>]> = [
  ['MemoryRunRepository', async () => new MemoryRunRepository()],
  ['FileRunRepository', async () => FileRunRepository.open({ dir: await tempDir() })],
];

describe.each(kinds)('%s', (_name, open) => {
  it('should create, update, get and list runs newest first, filtered and paged', async () => {
    const repo = await open();
    await repo.createRun(run('a', 1));
    await repo.createRun(run('b', 2, 'completed'));
    await repo.createRun(run('c', 2));
    await expect(repo.createRun(run('a', 9))).rejects.toMatchObject({ code: 'CONFLICT' });
    await repo.updateRun('a', { status: 'paused', progress: 0.5 });
    expect(await repo.getRun('a')).toMatchObject({
      id: 'a',
      status: 'paused',
      progress: 0.5,
      goal: 'goal a',
    });
    await expect(repo.updateRun('zz', { progress: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await repo.getRun('zz')).toBeUndefined();
    const p1 = await repo.listRuns({ limit: 2 });
    expect(p1.runs.map((r) => r.id)).toEqual(['c', 'b']);
    const p2 = await repo.listRuns({ limit: 2, cursor: p1.nextCursor as string });
    expect(p2.runs.map((r) => r.id)).toEqual(['a']);
    expect(p2.nextCursor).toBeUndefined();
    expect((await repo.listRuns({ status: ['running', 'paused'] })).runs.map((r) => r.id)).toEqual([
      'c',
      'a',
    ]);
    await repo.close();
  });

  it('should number appended events from 1 without gaps and page them after a seq', async () => {
    const repo = await open();
    await repo.createRun(run('r', 1));
    expect(await repo.appendEvents('r', [log('r', 1), log('r', 2)])).toBe(2);
    expect(await repo.appendEvents('r', [])).toBe(2);
    expect(
      await repo.appendEvents(
        'r',
        Array.from({ length: 10 }, (_, i) => log('r', i + 3)),
      ),
    ).toBe(12);
    const page = await repo.events('r', { after: 3, limit: 4 });
    expect(page.events.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(page.events[0]?.event).toEqual(log('r', 4));
    expect(page.nextAfter).toBe(7);
    const rest = await repo.events('r', { after: 7 });
    expect(rest.events.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(rest.nextAfter).toBeUndefined();
    expect((await repo.events('r', { after: 12 })).events).toEqual([]);
    expect(await repo.getSnapshot('r')).toBeUndefined();
    await repo.close();
  });
});

describe('FileRunRepository', () => {
  it('should keep seqs gapless with two processes appending to one run at once, and survive a reopen', async () => {
    const dir = await tempDir();
    const repo = await FileRunRepository.open({ dir });
    await repo.createRun(run('shared', 1));
    const worker = join(import.meta.dirname, 'appendWorker.ts');
    const exec = promisify(execFile);
    const args = (tag: string) => [
      '--conditions=@troupe/source',
      '--import',
      'tsx',
      worker,
      dir,
      'shared',
      tag,
      '300',
    ];
    await Promise.all([exec(process.execPath, args('A')), exec(process.execPath, args('B'))]);
    const reopened = await FileRunRepository.open({ dir });
    const { events, nextAfter } = await reopened.events('shared', { limit: 5000 });
    expect(nextAfter).toBeUndefined();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    for (const tag of ['A', 'B']) {
      const mine = events
        .map((e) => (e.event as { message: string }).message)
        .filter((m) => m.startsWith(tag));
      expect(mine).toEqual(Array.from({ length: 300 }, (_, i) => `${tag} ${i}`));
    }
    expect(await reopened.appendEvents('shared', [log('shared', 0)])).toBe(601);
  }, 60_000);

  it('should refuse run ids that are not safe file names', async () => {
    const repo = await FileRunRepository.open({ dir: await tempDir() });
    await expect(repo.getRun('../etc')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
