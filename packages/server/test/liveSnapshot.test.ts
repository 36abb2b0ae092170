import type { ProgressEvent } from '@troupe/core';
import { describe, expect, it, vi } from 'vitest';
import { LiveSnapshot } from '../src/LiveSnapshot.js';

const ev = (seq: number, extra: Partial<ProgressEvent> = {}): ProgressEvent =>
  ({
    kind: 'task.log',
    level: 'info',
    message: `m${seq}`,
    runId: 'r',
    taskId: 'r',
    ts: seq,
    seq,
    ...extra,
  }) as ProgressEvent;

describe('LiveSnapshot', () => {
  it('should give a snapshot that includes every event fed so far, waiting for a batched one', async () => {
    const live = new LiveSnapshot({ taskId: 'r', name: 'r', maxDelay: 20 });
    live.push(1, { kind: 'run.started', runId: 'r', taskId: 'r', ts: 0, seq: 0 });
    // Wide runs batch snapshots: feed many cards so the snapshot is dear and deferred.
    for (let i = 0; i < 300; i++)
      live.push(i + 2, {
        kind: 'task.created',
        runId: 'r',
        taskId: `t${i}`,
        parentId: 'r',
        ts: 1,
        seq: i + 1,
      });
    const seen: number[] = [];
    live.whenExact(() => seen.push(live.latest.subtasks.length));
    await vi.waitFor(() => expect(seen).toEqual([300]));
  });

  it('should take the latest snapshot as exact when the events since changed nothing (duplicates)', async () => {
    const live = new LiveSnapshot({ taskId: 'r', name: 'r', maxDelay: 20 });
    live.push(1, ev(1));
    await vi.waitFor(() => expect(live.latest.logs).toHaveLength(1));
    live.push(2, ev(1)); // the same event again: the ledger ignores it, no snapshot follows
    let served = false;
    live.whenExact(() => {
      served = true;
    });
    expect(served).toBe(false);
    await vi.waitFor(() => expect(served).toBe(true));
    expect(live.latest.logs).toHaveLength(1);
  });
});
