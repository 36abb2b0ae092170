import { describe, expect, it } from 'vitest';
import { ProgressEventSchema, type ProgressKind } from '../src/progress/events.js';
import { initialProgress, reduceProgress } from '../src/progress/reduceProgress.js';

function recorder(runId = 'run-1') {
  let seq = 0;
  return (kind: ProgressKind, taskId: string, ts: number, fields: Record<string, unknown> = {}) =>
    ProgressEventSchema.parse({ runId, taskId, ts, seq: seq++, kind, ...fields });
}

describe('dependsOn', () => {
  it('should put the tasks a task waits for on its card, merging later announcements', () => {
    const ev = recorder();
    const events = [
      ev('run.started', 'run-1', 1),
      ev('task.created', 'a', 2, { parentId: 'run-1' }),
      ev('task.created', 'b', 3, { parentId: 'run-1', dependsOn: ['a'] }),
      ev('task.created', 'c', 4, { parentId: 'run-1', dependsOn: ['a', 'b'] }),
      ev('task.created', 'c', 5, { parentId: 'run-1', dependsOn: ['b', 'x'] }),
    ];
    const state = events.reduce(reduceProgress, initialProgress());
    const card = (id: string) => state.subtasks.find((t) => t.taskId === id);
    expect(card('a')?.dependsOn).toBeUndefined();
    expect(card('b')?.dependsOn).toEqual(['a']);
    expect(card('c')?.dependsOn).toEqual(['a', 'b', 'x']);
    // A snapshot parsed from JSON (a dashboard's) keeps them when it reduces further events.
    const restored = JSON.parse(JSON.stringify(state));
    const next = reduceProgress(restored, ev('task.started', 'c', 6));
    expect(next.subtasks.find((t) => t.taskId === 'c')?.dependsOn).toEqual(['a', 'b', 'x']);
  });

  it('should refuse a dependsOn that is not a list of task ids', () => {
    expect(() => recorder()('task.created', 'a', 1, { dependsOn: 'b' })).toThrow();
  });
});
