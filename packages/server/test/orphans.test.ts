import { describe, expect, it } from 'vitest';
import {
  closeOrphanedRuns,
  MemoryRunRepository,
  RUN_STATUSES,
  type RunRecord,
  type RunStatus,
} from '../src/index.js';

function run(id: string, status: RunStatus): RunRecord {
  return {
    id,
    goal: id,
    status,
    createdAt: 1,
    updatedAt: 1,
    progress: 0.5,
    costUsd: 0,
    tokens: { input: 0, output: 0 },
  };
}

describe('closeOrphanedRuns', () => {
  it('should end every run an earlier server left open, and leave finished ones alone', async () => {
    const repo = new MemoryRunRepository();
    for (const s of RUN_STATUSES) await repo.createRun(run(s, s));
    const ended = await closeOrphanedRuns(repo, 99);
    expect(ended.sort()).toEqual(['paused', 'pending', 'running', 'suspended']);
    for (const id of ended) {
      expect(await repo.getRun(id)).toMatchObject({
        status: 'failed',
        updatedAt: 99,
        error: { code: 'INTERRUPTED', message: expect.stringContaining(`while this run was ${id}`) },
      });
    }
    expect((await repo.getRun('completed'))?.status).toBe('completed');
    expect((await repo.getRun('cancelled'))?.error).toBeUndefined();
    expect(await closeOrphanedRuns(repo)).toEqual([]);
  });
});
