/**
 * The agents of the design note working together in one process: the
 * planner's invalid first draft is repaired before anything is dispatched,
 * the strategy routes by its rule, the executors run, and the tracker,
 * fed by the runtime's progress stream, answers the same snapshot it
 * rebuilds from its stored log.
 */

import { ProgressGet, rebuildProgress, TrackPlan, trackerAgent, trackRun } from '@troupe/agents';
import { createRuntime, MemoryStore, type TaskProgress } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { GOAL, plannerDef, researcherDef, strategyDef, writerDef } from './fixtures/team.js';
import { drive } from './support/drive.js';

describe('planner, strategy, executors and tracker in one process', () => {
  it('should plan, route, execute and track a run', async () => {
    const store = new MemoryStore();
    await using runtime = createRuntime();
    for (const def of [plannerDef(), strategyDef(), researcherDef(), writerDef(), trackerAgent({ store })]) {
      await runtime.register(def);
    }
    const runId = 'brief-1';
    const tracker = runtime.ref({ type: 'tracker', key: runId });
    await using tracking = trackRun(runtime.progress$, tracker, { runId });
    const { plan, routes, results } = await drive(runtime, GOAL, runId);

    expect(plan.subtasks.map((t) => [t.id, t.executor, t.dependencies])).toEqual([
      ['facts-Oslo', 'researcher', []],
      ['facts-Rome', 'researcher', []],
      ['brief', 'writer', ['facts-Oslo', 'facts-Rome']],
    ]);
    expect(routes.map((r) => [r.subtaskId, r.executor, r.decidedBy])).toEqual([
      ['facts-Oslo', 'researcher', 'default'],
      ['facts-Rome', 'researcher', 'default'],
      ['brief', 'writer', 'rule'],
    ]);
    expect(results['facts-Oslo']).toMatchObject({
      status: 'completed',
      answer: 'Oslo: cold winters around -4 °C; Oslo: about 760 mm of rain a year',
    });
    expect(results.brief).toMatchObject({ status: 'completed', output: { title: 'Oslo and Rome' } });
    expect((results.brief as { output: { body: string } }).output.body).toContain('Rome: about 800 mm');

    await tracker.ask(TrackPlan.create({ runId, plan }));
    let live!: TaskProgress;
    await expect
      .poll(async () => {
        await tracking.flush();
        live = (await tracker.ask(ProgressGet.create({ runId }))) as TaskProgress;
        return ['facts-Oslo', 'facts-Rome', 'brief'].map(
          (id) => live.subtasks.find((t) => t.taskId === id)?.status,
        );
      })
      .toEqual(['completed', 'completed', 'completed']);
    expect(live.executionDetails.toolCalls).toHaveLength(4);
    expect(live.executionDetails.tokensUsed.total).toBeGreaterThan(0);
    expect(live.logs.some((l) => l.message.startsWith('draft 1 is not a valid plan'))).toBe(true);
    expect(live.logs.some((l) => l.message.startsWith('route brief → writer (model scripted:writer'))).toBe(
      true,
    );
    expect(await rebuildProgress(store, runId)).toEqual(live);
  });
});
