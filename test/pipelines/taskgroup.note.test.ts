/**
 * The three usage examples of the TaskGroup design note (sections 3.1–3.3),
 * in TypeScript against the real API, with real agents on the in-process runtime.
 */
import { createRuntime, defineAgent, on, trackProgress } from '@troupe/core';
import { createGroup, TaskAssign, TaskGroup } from '@troupe/pipelines';
import { describe, expect, it } from 'vitest';
import { InFlight, pause, taskAgent } from './support.js';

describe('TaskGroup — design note examples', () => {
  it('should run 3.1 basic usage: three tasks, progress 3/3, results and a summary', async () => {
    await using runtime = createRuntime();
    await runtime.register(taskAgent('coder'), { instances: 2 });
    await runtime.register(taskAgent('writer'));

    const group = new TaskGroup('設計系統部署', { runtime });
    group.addTask('部署 Design Tokens', {
      agent: 'coder',
      model: 'sonnet',
      prompt: '部署 Design Tokens 到 Vercel',
    });
    group.addTask('更新 Tailwind config', {
      agent: 'coder',
      model: 'sonnet',
      prompt: '更新 Tailwind 設定檔',
    });
    group.addTask('產出設計文件', { agent: 'writer', model: 'sonnet', prompt: '撰寫設計系統說明文件' });
    expect(group.getProgress()).toBe('0/3');
    expect(group.getPendingCount()).toBe(3);

    group.spawnAll();
    await group.waitForCompletion({ timeout: 300_000 });

    expect(group.getProgress()).toBe('3/3');
    expect(group.getPendingCount()).toBe(0);
    const results = group.getResults();
    expect(results).toMatchObject({ total: 3, completed: 3, failed: 0, timedOut: 0, cancelled: 0 });
    expect(results.tasks.map((t) => [t.label, t.status, t.agent, t.attempts])).toEqual([
      ['部署 Design Tokens', 'completed', 'coder', 1],
      ['更新 Tailwind config', 'completed', 'coder', 1],
      ['產出設計文件', 'completed', 'writer', 1],
    ]);
    expect(results.tasks[2]?.result).toBe("writer did '產出設計文件' with sonnet");
    for (const t of results.tasks) {
      expect(t.startedAt).toBeGreaterThanOrEqual(t.createdAt);
      expect(t.finishedAt).toBeGreaterThanOrEqual(t.startedAt ?? Number.POSITIVE_INFINITY);
    }

    const lines: string[] = [];
    group.printSummary((text) => lines.push(text));
    const summary = lines.join('\n');
    expect(summary).toContain('TaskGroup 設計系統部署: 3/3 done — 3 completed, 0 failed');
    expect(summary).toMatch(/\| 1 \| 部署 Design Tokens\s+\| coder\s+\| ✓ completed \|/);
    // CJK labels take two columns each; the table stays aligned.
    const rows = summary.split('\n').filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map(columnsOfBars)).size).toBe(1);
  });

  it('should run 3.2 error handling: 10 tasks under maxConcurrent 4, failures listed with their errors', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    // A researcher whose sources for topics 3 and 7 are down.
    const Researcher = defineAgent({
      type: 'researcher',
      handles: {
        [TaskAssign.type]: on(TaskAssign, async ({ label }, ctx) => {
          flight.enter();
          try {
            await pause(10, ctx.signal);
            if (label === '任務3' || label === '任務7') throw new Error(`source unavailable for ${label}`);
            return `findings of ${label}`;
          } finally {
            flight.leave();
          }
        }),
      },
    });
    await runtime.register(Researcher, { instances: 10 });

    const group = new TaskGroup('多任務測試', { runtime, maxConcurrent: 4 });
    for (let i = 0; i < 10; i++) group.addTask(`任務${i}`, { agent: 'researcher', timeout: 60_000 });
    const snapshots: string[] = [];
    const sub = trackProgress(group.progress$).subscribe((p) => snapshots.push(p.status));

    group.spawnAll();
    await group.waitForCompletion({ timeout: 600_000 });
    sub.unsubscribe();

    const results = group.getResults();
    const failedTasks = results.tasks.filter((t) => t.status === 'failed');
    expect(failedTasks.map((t) => t.label)).toEqual(['任務3', '任務7']);
    for (const t of failedTasks) expect(t.error?.message).toBe(`source unavailable for ${t.label}`);
    const warning = [
      `警告：${failedTasks.length} 個任務失敗`,
      ...failedTasks.map((t) => `  - ${t.label}: ${t.error?.message}`),
    ].join('\n');
    expect(warning).toBe(
      '警告：2 個任務失敗\n  - 任務3: source unavailable for 任務3\n  - 任務7: source unavailable for 任務7',
    );
    expect(results).toMatchObject({
      total: 10,
      completed: 8,
      failed: 2,
      timedOut: 0,
      cancelled: 0,
      pending: 0,
    });
    expect(group.getProgress()).toBe('10/10');
    expect(flight.max).toBe(4);
    expect(snapshots.at(-1)).toBe('completed');
  });

  it('should run 3.3 the factory: createGroup, chained spawnAll().waitForCompletion()', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    await runtime.register(taskAgent('researcher', flight), { instances: 2 });

    const group = createGroup('研究任務組', { runtime, agent: 'researcher' });
    group.addTask('研究 A', { prompt: '調查 A' });
    group.addTask('研究 B', { prompt: '調查 B' });
    const results = await group.spawnAll().waitForCompletion();

    expect(group).toBeInstanceOf(TaskGroup);
    expect(group.getProgress()).toBe('2/2');
    expect(results.completed).toBe(2);
    expect(results.tasks.map((t) => t.result)).toEqual([
      "researcher did '研究 A'",
      "researcher did '研究 B'",
    ]);
    expect(flight.max).toBe(2);
  });
});

/** Terminal columns at which each '|' of a table row sits (CJK characters are two wide). */
function columnsOfBars(row: string): string {
  const at: number[] = [];
  let col = 0;
  for (const ch of row) {
    if (ch === '|') at.push(col);
    col += /[\u2e80-\ua4cf\uac00-\ud7a3\uff00-\uff60]/u.test(ch) ? 2 : 1;
  }
  return at.join(',');
}
