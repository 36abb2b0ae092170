import type { ProgressEvent } from '@troupe/core';
import { MemoryRunRepository } from '@troupe/server';
import { describe, expect, it } from 'vitest';
import { startServer, watch } from './support.js';

const TOKEN = 'stored-token';
const log = (i: number): ProgressEvent => ({
  kind: 'task.log',
  level: 'info',
  message: `m${i}`,
  runId: 'r1',
  taskId: 'r1',
  ts: i,
  seq: i,
});

describe('@troupe/server runs written by another process', () => {
  it('should follow a run another writer appends to the repository: snapshot, new events, then end', async () => {
    const repository = new MemoryRunRepository();
    await repository.createRun({
      id: 'r1',
      goal: 'elsewhere',
      status: 'running',
      createdAt: 1,
      updatedAt: 1,
      progress: 0,
      costUsd: 0,
      tokens: { input: 0, output: 0 },
    });
    await repository.appendEvents('r1', [
      { kind: 'run.started', runId: 'r1', taskId: 'r1', ts: 0, seq: 0, name: 'elsewhere' },
      log(1),
      log(2),
    ]);
    await using t = await startServer({ repository }, TOKEN);
    const w = watch(t.url, `/ws/tasks/r1?token=${TOKEN}`);
    await expect.poll(() => w.messages.length).toBeGreaterThan(0);
    expect(w.messages[0]).toMatchObject({ type: 'snapshot', seq: 3, run: { id: 'r1', status: 'running' } });
    expect(w.messages[0]?.snapshot.logs.map((l) => l.message)).toEqual(['m1', 'm2']);
    await repository.appendEvents('r1', [log(3), log(4)]);
    await expect.poll(() => w.messages.length, { timeout: 10_000 }).toBe(3);
    expect(w.messages.slice(1).map((m) => [m.type, m.seq])).toEqual([
      ['event', 4],
      ['event', 5],
    ]);
    // Pause/resume/cancel need the process that drives it.
    const pause = await t.call('POST', '/api/v1/tasks/r1/pause');
    expect(pause.status).toBe(409);
    expect(pause.body.error.message).toContain('does not run in this server');
    await repository.appendEvents('r1', [
      { kind: 'run.finished', runId: 'r1', taskId: 'r1', ts: 9, seq: 9, status: 'completed' },
    ]);
    await repository.updateRun('r1', { status: 'completed', progress: 1 });
    expect((await w.closed).code).toBe(1000);
    expect(w.messages.slice(3).map((m) => [m.type, m.seq ?? null])).toEqual([
      ['event', 6],
      ['end', null],
    ]);
    // Reconnecting after seq 4 gets 5 and 6, then end.
    const again = watch(t.url, `/ws/tasks/r1?after=4&token=${TOKEN}`);
    await again.closed;
    expect(again.messages.map((m) => [m.type, m.seq ?? null])).toEqual([
      ['event', 5],
      ['event', 6],
      ['end', null],
    ]);
  });

  it('should rebuild the progress of a stored run with no saved snapshot from its event log, page by page', async () => {
    const repository = new MemoryRunRepository();
    await repository.createRun({
      id: 'r1',
      goal: 'elsewhere',
      status: 'completed',
      createdAt: 1,
      updatedAt: 1,
      progress: 1,
      costUsd: 0,
      tokens: { input: 0, output: 0 },
    });
    const logs = Array.from({ length: 5002 }, (_, i) => log(i + 1));
    await repository.appendEvents('r1', [
      { kind: 'run.started', runId: 'r1', taskId: 'r1', ts: 0, seq: 0, name: 'elsewhere' },
      ...logs,
      { kind: 'run.finished', runId: 'r1', taskId: 'r1', ts: 6000, seq: 5003, status: 'completed' },
    ]);
    expect(await repository.getSnapshot('r1')).toBeUndefined();
    await using t = await startServer({ repository }, TOKEN);
    const res = await t.call('GET', '/api/v1/tasks/r1/progress');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ taskId: 'r1', status: 'completed' });
    // The last log sits on the second page of 5000 events.
    expect(res.body.logs.map((l: { message: string }) => l.message)).toContain('m5002');
  });
});
