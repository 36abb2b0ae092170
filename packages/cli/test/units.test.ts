import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, initialProgress, type ProgressEvent, reduceProgress } from '@troupe/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RunBusyError } from '../src/errors.js';
import { JournalWriter } from '../src/runs/JournalWriter.js';
import { runPaths } from '../src/runs/layout.js';
import { acquireRunLock } from '../src/runs/lock.js';
import { JournalReader } from '../src/runs/readJournal.js';
import { renderFrame } from '../src/view/frame.js';
import { RunStats } from '../src/view/RunStats.js';
import { flattenTasks, pickRows } from '../src/view/taskRows.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-cli-unit-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ev = (kind: string, taskId: string, seq: number, extra: Record<string, unknown> = {}): ProgressEvent =>
  ({ kind, runId: 'r', taskId, ts: 1_000 + seq, seq, ...extra }) as ProgressEvent;

describe('the journal', () => {
  it('should read what a FileStore wrote, across a compaction, and skip a torn last line', async () => {
    const dir = temp();
    const store = await FileStore.open({ dir, compactMinBytes: 0, compactRatio: 1.5 });
    const writer = new JournalWriter({ store, nextBatch: 0, flushDelay: 1 });
    const reader = new JournalReader(dir);
    writer.append(ev('run.started', 'root', 1, { name: 'x' }));
    await writer.flush();
    expect((await reader.poll()).map((e) => e.kind)).toEqual(['run.started']);
    writer.append(ev('task.started', 't1', 2));
    await writer.flush();
    // Rewrites dirty shards (a new inode): the reader starts over and skips what it had.
    for (let i = 0; i < 5; i++) await store.set('events-scratch/x', i);
    await store.close();
    const reopened = await FileStore.open({ dir });
    await reopened.close();
    appendFileSync(join(dir, 'events.jsonl'), '{"k":"events/0000000009","v":[{"kind"'); // torn
    expect((await reader.poll()).map((e) => e.kind)).toEqual(['task.started']);
    expect((await new JournalReader(dir).poll()).map((e) => e.kind)).toEqual(['run.started', 'task.started']);
  });
});

describe('the run lock', () => {
  it('should refuse a live holder and take over from a dead one', async () => {
    const store = temp();
    const paths = runPaths(store, 'r1');
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(paths.lock, JSON.stringify({ pid: process.pid, host: hostname() }));
    await expect(acquireRunLock(paths)).rejects.toBeInstanceOf(RunBusyError);
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeFileSync(paths.lock, JSON.stringify({ pid: dead, host: hostname() }));
    const release = await acquireRunLock(paths);
    await expect(acquireRunLock(paths)).rejects.toBeInstanceOf(RunBusyError);
    await release();
    await (await acquireRunLock(paths))();
  });
});

describe('the live view', () => {
  const events: ProgressEvent[] = [ev('run.started', 'root', 1, { name: 'wide' })];
  for (let i = 0; i < 40; i++) events.push(ev('task.created', `t${i}`, 2 + i, { name: `task ${i}` }));
  events.push(ev('task.started', 't33', 50, { name: 'task 33' }));
  const snapshot = events.reduce(reduceProgress, initialProgress({ name: 'wide' }));

  it('should show running tasks first when not all fit, and count the rest', () => {
    const { shown, hidden } = pickRows(flattenTasks(snapshot), 5);
    expect(shown.map((r) => r.task.name)).toContain('task 33');
    expect(shown).toHaveLength(5);
    expect(hidden.get('pending')).toBe(35);
  });

  it('should keep every line within the width and the frame within the height', () => {
    const lines = renderFrame({
      snapshot,
      stats: new RunStats(),
      runId: 'r',
      state: 'running',
      now: 2_000,
      width: 60,
      height: 20,
      color: false,
      hint: 'x'.repeat(200),
    });
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(lines.join('\n')).toMatch(/task 33\s+running/);
    expect(lines.join('\n')).toMatch(/… \d+ more: \d+ pending/);
  });
});
