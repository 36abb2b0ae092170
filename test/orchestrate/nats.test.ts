/**
 * The same orchestrate call with its Planner and Strategy on one worker process and its executors
 * on another, over a real nats-server, gives the same report as with everything in one process.
 */
import { createRuntime, type ProgressEvent, trackProgress } from '@troupe/core';
import { connectNats, remoteProgress$ } from '@troupe/nats';
import { type OrchestrateReport, orchestrate } from '@troupe/pipelines';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { lastValueFrom, share } from 'rxjs';
import { expect, it } from 'vitest';
import { startAgentWorker } from '../agents/support/agentWorker.js';
import { EXECUTORS, GOAL } from './fixtures/team.js';
import { teamRuntime } from './support.js';

/** What must be equal between the two: everything but times and the run's id. */
function essence(report: OrchestrateReport) {
  return {
    status: report.status,
    plan: report.plan,
    replans: report.replans,
    failures: report.failures,
    undone: report.undone,
    tokens: report.tokens,
    costUsd: report.costUsd,
    subtasks: report.subtasks.map((s) => ({ ...s, durationMs: 0 })),
  };
}

natsSuite('orchestrate over NATS', () => {
  it('should give the same report with the planner, strategy and executors on two worker processes', {
    timeout: 120_000,
  }, async () => {
    let inProcess: OrchestrateReport;
    {
      await using runtime = await teamRuntime({ researchers: 1 });
      inProcess = await orchestrate(GOAL, { runtime, executors: EXECUTORS, runId: 'same-report' }).result;
    }

    await using server = await startNatsServer();
    const namespace = 'orchestrate';
    const worker = (module: string) =>
      startAgentWorker({ url: server.url, namespace, module: `../../orchestrate/fixtures/${module}` });
    await using planning = await worker('planningWorker.ts');
    await using executing = await worker('executorWorker.ts');
    expect(planning.ready).toContain('types=planner,strategy');
    expect(executing.ready).toContain('types=researcher,writer');
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace,
    });
    const runId = 'same-report';
    const remote$ = remoteProgress$({ connection: { servers: server.url }, namespace, runId }).pipe(share());
    const handle = orchestrate(GOAL, { runtime: client, executors: EXECUTORS, runId, events$: remote$ });
    const events: ProgressEvent[] = [];
    handle.progress$.subscribe((e) => events.push(e));
    const live = lastValueFrom(trackProgress(handle.progress$));
    const overNats = await handle.result;

    expect(overNats.status).toBe('completed');
    expect(essence(overNats)).toEqual(essence(inProcess));
    // The workers' events reached the run: the executors' tool calls and model calls.
    expect(events.filter((e) => e.kind === 'task.tool_call' && e.status === 'succeeded')).toHaveLength(4);
    expect(events.some((e) => e.kind === 'task.model_call' && e.agent?.startsWith('planner'))).toBe(true);
    const p = await live;
    expect(p.status).toBe('completed');
    const execute = p.subtasks.find((c) => c.taskId === '@execute');
    expect(execute?.subtasks.map((c) => [c.taskId, c.agent, c.status])).toEqual([
      ['facts-Oslo', 'researcher', 'completed'],
      ['facts-Rome', 'researcher', 'completed'],
      ['brief', 'writer', 'completed'],
    ]);
    expect(planning.stderr()).not.toContain('Error');
    expect(executing.stderr()).not.toContain('Error');
  });
});
