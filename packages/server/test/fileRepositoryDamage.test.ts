import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, ProgressEvent } from '@troupe/core';
import { FileRunRepository, type RunRecord } from '@troupe/server';
import { afterEach, describe, expect, it } from 'vitest';

const run = (id: string, createdAt: number): RunRecord => ({
  id,
  goal: `goal ${id}`,
  status: 'completed',
  createdAt,
  updatedAt: createdAt,
  progress: 1,
  costUsd: 0,
  tokens: { input: 0, output: 0 },
});
const log = (i: number): ProgressEvent => ({
  kind: 'task.log',
  level: 'info',
  message: `m${i}`,
  runId: 'r',
  taskId: 't',
  ts: i,
  seq: i,
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'troupe-damage-'));
  dirs.push(d);
  return d;
}
function recordingLogger(): Logger & { warnings: Array<[string, Record<string, unknown> | undefined]> } {
  const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
  const none = () => {};
  return { warnings, debug: none, info: none, error: none, warn: (m, f) => warnings.push([m, f]) };
}

describe('FileRunRepository with damaged files', () => {
  it('should skip a torn last line of events.jsonl when reading, and cut it off before the next append', async () => {
    const dir = await tempDir();
    const repo = await FileRunRepository.open({ dir });
    await repo.createRun(run('r', 1));
    await repo.appendEvents('r', [log(1), log(2)]);
    const file = join(dir, 'runs', 'r', 'events.jsonl');
    // A writer killed mid-append.
    await appendFile(file, '{"seq":3,"event":{"kind":"task.lo');
    const reopened = await FileRunRepository.open({ dir });
    expect((await reopened.events('r', {})).events.map((e) => e.seq)).toEqual([1, 2]);
    expect(await reopened.appendEvents('r', [log(3), log(4)])).toBe(4);
    const page = await reopened.events('r', {});
    expect(page.events.map((e) => [e.seq, (e.event as { message: string }).message])).toEqual([
      [1, 'm1'],
      [2, 'm2'],
      [3, 'm3'],
      [4, 'm4'],
    ]);
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('should keep a last line that is whole but for its newline, and append after it', async () => {
    const dir = await tempDir();
    const repo = await FileRunRepository.open({ dir });
    await repo.createRun(run('r', 1));
    await repo.appendEvents('r', [log(1)]);
    const file = join(dir, 'runs', 'r', 'events.jsonl');
    await appendFile(file, JSON.stringify({ seq: 2, event: log(2) }));
    const reopened = await FileRunRepository.open({ dir });
    expect((await reopened.events('r', {})).events.map((e) => e.seq)).toEqual([1, 2]);
    expect(await reopened.appendEvents('r', [log(3)])).toBe(3);
    expect((await reopened.events('r', {})).events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('should list the other runs, with a warning, when one run.json does not parse', async () => {
    const dir = await tempDir();
    const logger = recordingLogger();
    const repo = await FileRunRepository.open({ dir, logger });
    await repo.createRun(run('good', 1));
    await repo.createRun(run('bad', 2));
    await writeFile(join(dir, 'runs', 'bad', 'run.json'), '{"id":"bad","goal":');
    const page = await repo.listRuns({});
    expect(page.runs.map((r) => r.id)).toEqual(['good']);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]?.[1]).toMatchObject({ run: 'bad' });
  });
});
