import { createRuntime, type ProgressEvent, trackProgress } from '@troupe/core';
import { TaskGroup } from '@troupe/pipelines';
import { processesWith, standInCommand } from '@troupe/testing';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ClaudeCodeRunner, type Runner, RunnerFailedError, runnerAgent } from '../src/index.js';

/** A runner that counts how many of its sessions run at once. */
function counting(inner: Runner): Runner & { peak: () => number } {
  let running = 0;
  let peak = 0;
  return {
    kind: inner.kind,
    peak: () => peak,
    async start(task, options) {
      const session = await inner.start(task, options);
      running += 1;
      peak = Math.max(peak, running);
      void session.wait().finally(() => {
        running -= 1;
      });
      return session;
    },
    reattach: (id, options) => inner.reattach(id, options),
    close: () => inner.close(),
    [Symbol.asyncDispose]: () => inner.close(),
  };
}

describe('runnerAgent', () => {
  it('should run a TaskGroup of 5 sessions, 2 at a time, forwarding progress and mapping results', async () => {
    await using runtime = createRuntime();
    const runner = counting(new ClaudeCodeRunner({ command: standInCommand('claude') }));
    await runtime.register(runnerAgent(runner, { type: 'coder' }), { instances: 5 });
    const group = new TaskGroup('five sessions', { runtime, agent: 'coder', maxConcurrent: 2 });
    for (let i = 1; i <= 5; i++)
      group.addTask(`task ${i}`, { prompt: i === 3 ? 'scenario:fail' : `job ${i} scenario:slow` });
    const events: ProgressEvent[] = [];
    group.progress$.subscribe((e) => events.push(e));
    const snapshot = lastValueFrom(trackProgress(group.progress$), { defaultValue: undefined });
    const results = await group.spawnAll().waitForCompletion({ timeout: 60_000 });

    expect(runner.peak()).toBe(2);
    expect(results).toMatchObject({ total: 5, completed: 4, failed: 1 });
    const byLabel = Object.fromEntries(results.tasks.map((t) => [t.label, t]));
    expect(byLabel['task 1']?.result).toBe('Done: job 1 scenario:slow');
    const failed = byLabel['task 3']?.error;
    expect(failed).toBeInstanceOf(RunnerFailedError);
    expect((failed as RunnerFailedError).data).toMatchObject({ code: 'error_max_turns', exitCode: 1 });

    // Each sub-task's runner progress arrives under the agent's task for it, a child of the group's task.
    for (const task of results.tasks) {
      const mine = events.filter((e) => e.parentId === task.taskId && e.kind === 'task.tool_call');
      expect(mine.length, task.label).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.kind === 'task.progress' && e.percent === 100)).toHaveLength(4);
    expect(events.filter((e) => e.kind === 'task.artifact')).toHaveLength(4);
    const final = await snapshot;
    expect(final?.executionDetails.tokensUsed.total).toBe(4 * (2000 + 350) + (1900 + 310));
  }, 90_000);

  it('should leave nothing running when the group is cancelled', async () => {
    const marker = `agent-cancel-${process.pid}-${Date.now()}`;
    const runtime = createRuntime();
    await runtime.register(
      runnerAgent(new ClaudeCodeRunner({ command: standInCommand('claude') }), { type: 'coder' }),
      {
        instances: 3,
      },
    );
    const group = new TaskGroup('hung', { runtime, agent: 'coder', maxConcurrent: 2 });
    for (let i = 1; i <= 3; i++) group.addTask(`hang ${i}`, { prompt: `scenario:hang ${marker}` });
    group.spawnAll();
    await expect.poll(() => processesWith(marker).length).toBe(2);
    group.cancel('stop everything');
    const results = await group.waitForCompletion();
    expect(results.cancelled).toBe(3);
    // close() drains the handlers, and a handler returns only once its session's processes are gone.
    await runtime.close();
    expect(processesWith(marker)).toEqual([]);
  }, 30_000);

  it('should time out a sub-task as TimeoutError through the session timeout', async () => {
    await using runtime = createRuntime();
    const runner = new ClaudeCodeRunner({ command: standInCommand('claude') });
    await runtime.register(runnerAgent(runner, { type: 'coder', start: { timeout: 300 } }));
    const group = new TaskGroup('slow', { runtime, agent: 'coder' }).addTask('hang', {
      prompt: 'scenario:hang',
    });
    const results = await group.spawnAll().waitForCompletion({ timeout: 30_000 });
    expect(results.tasks[0]).toMatchObject({ status: 'timed_out' });
  });
});
