import {
  createModel,
  ProgressGet,
  ReActRun,
  reactAgent,
  TrackPlan,
  trackerAgent,
  trackRun,
} from '@troupe/agents';
import { createRuntime, MemoryStore, type TaskProgress } from '@troupe/core';

export async function main(env: Record<string, string | undefined> = process.env) {
  const model = createModel(undefined, {
    env,
    scripted: { script: [{ text: 'Troupe is an actor runtime.' }] },
  });
  const store = new MemoryStore(); // FileStore or NatsKvStore to keep runs across restarts and machines
  await using runtime = createRuntime();
  await runtime.register(reactAgent({ type: 'writer', model }));
  await runtime.register(trackerAgent({ store }));
  const runId = 'launch-post';
  const tracker = runtime.ref({ type: 'tracker', key: runId });
  // The plan's estimates (corrected by observed durations) give the remaining time.
  const step = {
    name: 'summary',
    description: '',
    executor: 'writer',
    expectedOutput: '',
    estimatedSeconds: 30,
  };
  await tracker.ask(
    TrackPlan.create({ runId, plan: { goal: 'launch post', subtasks: [{ id: 'summary', ...step }] } }),
  );
  await using tracking = trackRun(runtime.progress$, tracker, { runId });
  await runtime.ref({ type: 'writer' }).ask(ReActRun.create({ task: 'Summarise Troupe in one sentence.' }), {
    runId,
    taskId: 'summary',
    timeout: 60_000,
  });
  await tracking.flush();
  // From any process on the same transport: ask { type: 'tracker', key: runId } for progress.get.
  const progress = (await tracker.ask(ProgressGet.create({ runId }))) as TaskProgress;
  return {
    status: progress.status,
    overall: progress.overallProgress,
    remainingMs: progress.executionDetails.estimatedRemaining,
    tokens: progress.executionDetails.tokensUsed.total > 0,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
