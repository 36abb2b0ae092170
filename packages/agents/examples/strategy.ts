import {
  createModel,
  RouteRequest,
  type StrategyProtocol,
  type SubTask,
  strategyAgent,
} from '@troupe/agents';
import { createRuntime } from '@troupe/core';

const subtask = (id: string, tags: string[], estimatedSeconds: number): SubTask => ({
  id,
  name: id,
  description: `${id} of the billing service`,
  executor: 'generalist',
  expectedOutput: '',
  estimatedSeconds,
  dependencies: [],
  tags,
});

export async function main(env: Record<string, string | undefined> = process.env) {
  // Asked only when no rule matches, and only within `allowed`.
  const model = createModel(undefined, {
    env,
    scripted: { script: [{ output: { executor: 'writer', reason: 'it is documentation' } }] },
  });
  await using runtime = createRuntime();
  await runtime.register(
    strategyAgent({
      executors: ['generalist', 'coder', 'writer'],
      rules: [
        {
          name: 'big code',
          when: { tags: ['code'], minSeconds: 600 },
          use: { executor: 'coder', model: 'anthropic:claude-opus-4-1', retries: 0 },
        },
        {
          name: 'code',
          when: { tags: ['code'] },
          use: { executor: 'coder', model: 'anthropic:claude-sonnet-4-6' },
        },
      ],
      model,
      allowed: { executors: ['generalist', 'writer'] },
    }),
  );
  const strategy = runtime.ref<StrategyProtocol>({ type: 'strategy' });
  const routes = [];
  for (const t of [
    subtask('refactor', ['code'], 1800),
    subtask('fix-typo', ['code'], 60),
    subtask('docs', ['docs'], 300),
  ]) {
    routes.push(await strategy.ask(RouteRequest.create({ subtask: t }), { timeout: 60_000 }));
  }
  // Each choice is also explained in a task.log line on the run's progress.
  return routes.map((r) => `${r.subtaskId} → ${r.executor}${r.model ? ` (${r.model})` : ''}: ${r.reason}`);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
