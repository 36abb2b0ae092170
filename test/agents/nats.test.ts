/**
 * The same team across processes: the planner, the strategy and the tracker
 * on one worker process, the executors on another, driven from this one
 * (a third) over a real nats-server. The tracker follows the run from the
 * JetStream progress stream and keeps it in NATS KV.
 */

import { connect } from '@nats-io/transport-node';
import {
  PLAN_INVALID,
  PlanError,
  PlanRequest,
  ProgressGet,
  rebuildProgress,
  TrackPlan,
  trackRun,
} from '@troupe/agents';
import { createRuntime, type TaskProgress } from '@troupe/core';
import { connectNats, NatsKvStore, remoteProgress$ } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { GOAL } from './fixtures/team.js';
import { startAgentWorker } from './support/agentWorker.js';
import { drive } from './support/drive.js';

const TRACKER_BUCKET = 'troupe_agents_test_tracker';

natsSuite('agents over NATS', () => {
  it('should plan and route on one worker, execute on another, drive and track from a third process', async () => {
    await using server = await startNatsServer();
    const namespace = 'team';
    await using planning = await startAgentWorker({
      url: server.url,
      namespace,
      module: 'planningWorker.ts',
    });
    await using executing = await startAgentWorker({
      url: server.url,
      namespace,
      module: 'executorWorker.ts',
    });
    expect(planning.ready).toContain('types=planner,strategy,tracker');
    expect(executing.ready).toContain('types=researcher,writer');
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace,
    });

    const runId = 'brief-over-nats';
    const tracker = client.ref({ type: 'tracker', key: runId });
    await using tracking = trackRun(
      remoteProgress$({ connection: { servers: server.url }, namespace, runId }),
      tracker,
      {
        runId,
      },
    );
    const { plan, routes, results } = await drive(client, GOAL, runId);

    expect(plan.subtasks.map((t) => t.executor)).toEqual(['researcher', 'researcher', 'writer']);
    expect(routes.map((r) => r.decidedBy)).toEqual(['default', 'default', 'rule']);
    expect(results['facts-Rome']).toMatchObject({ status: 'completed', toolCalls: 2 });
    expect(results.brief).toMatchObject({ status: 'completed', output: { title: 'Oslo and Rome' } });
    expect((results.brief as { output: { body: string } }).output.body).toContain('Oslo: about 760 mm');

    await tracker.ask(TrackPlan.create({ runId, plan }));
    let live: TaskProgress | undefined;
    await expect
      .poll(
        async () => {
          await tracking.flush();
          live = (await tracker.ask(ProgressGet.create({ runId }))) as TaskProgress;
          return ['facts-Oslo', 'facts-Rome', 'brief'].map(
            (id) => live!.subtasks.find((t) => t.taskId === id)?.status,
          );
        },
        { timeout: 20_000, interval: 200 },
      )
      .toEqual(['completed', 'completed', 'completed']);
    // Tool calls and model calls made on the executor worker reached the tracker on the planning worker.
    expect(live!.executionDetails.toolCalls.filter((c) => c.tool === 'search')).toHaveLength(4);
    expect(live!.logs.some((l) => l.message.startsWith('draft 1 is not a valid plan'))).toBe(true);
    // The snapshot the tracker answers equals the one rebuilt here from its log in NATS KV.
    const nc = await connect({ servers: server.url });
    try {
      const store = await NatsKvStore.open({ nc, bucket: TRACKER_BUCKET });
      expect(await rebuildProgress(store, runId)).toEqual(live);
    } finally {
      await nc.close();
    }
  });

  it('should carry a PlanError across processes, code and issues included', async () => {
    await using server = await startNatsServer();
    const namespace = 'bad';
    await using planning = await startAgentWorker({
      url: server.url,
      namespace,
      module: 'planningWorker.ts',
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace,
    });
    const err = await client
      .ref({ type: 'planner' })
      .ask(PlanRequest.create({ goal: GOAL, executors: [{ name: 'researcher' }] }), { timeout: 30_000 })
      .catch((e: unknown) => e);
    // The same class as in process: the client imported @troupe/agents, which registers it.
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toMatchObject({ code: PLAN_INVALID, name: 'PlanError', data: { attempts: 3 }, attempts: 3 });
    // Only 'researcher' is offered: every draft (the scripted two, then a sampled one) names another executor.
    expect((err as { data: { issues: Array<{ message: string }> } }).data.issues[0]!.message).toMatch(
      /uses unknown executor '.+'; known executors: researcher$/,
    );
    expect(planning.stderr()).not.toContain('Error');
  });
});
