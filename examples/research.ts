/**
 * Parallel research on several topics, through `orchestrate`: the Planner splits the goal into one
 * research sub-task per topic and a summary that needs them all, the Strategy routes them, the
 * researchers (ReAct agents with an offline notes tool) work at once, the writer summarizes, and
 * the report comes back. Offline and deterministic with no key (scripted models with a little
 * latency, so there is something to watch); with OPENAI_API_KEY or ANTHROPIC_API_KEY (or
 * TROUPE_MODEL) every agent uses that model instead.
 *
 *   pnpm example examples/research.ts ["topic one" "topic two" …]
 *
 * `startResearch` is what the `troupe` CLI's live view drives: it returns the run's handle.
 */
import {
  createModel,
  type PlanDraft,
  plannerAgent,
  reactAgent,
  type ScriptedResponder,
  strategyAgent,
  tool,
} from '@troupe/agents';
import { createRuntime, type Runtime, type Store } from '@troupe/core';
import { type Budget, type ExecutorSpec, type OrchestrateHandle, orchestrate } from '@troupe/pipelines';
import { z } from 'zod';
import { printRun } from './shared/printRun.js';

/** The topics researched when none are given. */
export const DEFAULT_TOPICS = ['actor model', 'message passing', 'backpressure', 'supervision trees'];

/** Options of {@link startResearch}. */
export interface ResearchOptions {
  topics?: string[];
  /** The journal (a `FileStore` to resume after a crash). */
  store?: Store;
  runId?: string;
  maxConcurrency?: number;
  budget?: Budget;
  /** A `provider:model` spec for every agent (default: `createModel()`'s choice from the environment). */
  model?: string;
  /** Scripted models' delay per reply, ms (default 150–450, seeded). */
  latencyMs?: number | readonly [number, number];
  /** Where the team runs (default: a new in-process runtime, closed with the handle). */
  runtime?: Runtime;
  signal?: AbortSignal;
}

/** The goal sentence for `topics` (the scripted planner reads the topics back from it). */
export function researchGoal(topics: readonly string[]): string {
  return `Research these topics and write a one-page summary: ${topics.join('; ')}`;
}

const NOTES: Record<string, string> = {
  'actor model': 'Actors keep state private and handle one message at a time (Hewitt, 1973).',
  'message passing': 'Agents share nothing; they exchange immutable, typed messages.',
  backpressure: 'A bounded mailbox or a concurrency limit slows producers to the pace of consumers.',
  'supervision trees': 'A supervisor restarts a crashed child with backoff, up to a limit (Erlang/OTP).',
};

/** What the Planner drafts for `topics`: one research per topic, then a summary of all. */
export function researchPlan(topics: readonly string[]): PlanDraft {
  const ids = topics.map((_, i) => `research-${i + 1}`);
  return {
    subtasks: [
      ...topics.map((topic, i) => ({
        id: ids[i] as string,
        name: `research ${topic}`,
        description: `Find the key facts about ${topic}`,
        executor: 'researcher',
        expectedOutput: 'three facts with sources',
        estimatedSeconds: 30,
        dependencies: [],
        tags: ['research'],
      })),
      {
        id: 'summary',
        name: 'write the summary',
        description: 'Write a one-page summary of the research notes',
        executor: 'writer',
        expectedOutput: 'a one-page summary',
        estimatedSeconds: 60,
        dependencies: ids,
        tags: ['writing'],
      },
    ],
  };
}

/** The scripted answers (used only without a key): the planner's plan, a lookup, then the notes. */
const plannerScript: ScriptedResponder = (request) => {
  const goal = request.messages.at(-1)?.content ?? '';
  const topics = (/summary: (.+)$/m.exec(goal)?.[1] ?? DEFAULT_TOPICS.join('; ')).split('; ');
  return { output: researchPlan(topics) };
};
const researcherScript: ScriptedResponder = (request) => {
  const notes = request.messages.filter((m) => m.role === 'tool');
  if (notes.length > 0) return { text: notes.map((m) => m.content).join(' ') };
  const topic = /about (.+?)\n/.exec(request.messages.at(-1)?.content ?? '')?.[1] ?? 'it';
  return { toolCalls: [{ name: 'notes', arguments: { topic } }] };
};
const writerScript: ScriptedResponder = (request) => {
  const context = request.messages.at(-1)?.content.split('Context:\n')[1] ?? '';
  const lines = context.split('\n').filter(Boolean);
  return { text: ['# Summary', ...lines.map((l) => `- ${l.replace(/^research-\d+: /, '')}`)].join('\n') };
};

/**
 * Registers the research team on `runtime` (planner, strategy, two researcher instances, writer)
 * and returns the executors `orchestrate` (or `resumeRun`) needs.
 */
export async function registerResearchTeam(
  runtime: Runtime,
  options: Pick<ResearchOptions, 'model' | 'latencyMs'> = {},
): Promise<ExecutorSpec[]> {
  const latencyMs = options.latencyMs ?? [150, 450];
  const model = (name: string, script: ScriptedResponder, seed: number) =>
    createModel(options.model, { scripted: { name, script, seed, latencyMs, record: false } });
  const notes = tool({
    name: 'notes',
    description: 'Looks a topic up in the team’s offline notes',
    input: z.object({ topic: z.string() }),
    run: ({ topic }) => NOTES[topic.toLowerCase()] ?? `No notes on ${topic}; answer from what you know.`,
  });
  const executors: ExecutorSpec[] = [
    { name: 'researcher', description: 'finds the key facts about one topic, with a notes tool' },
    { name: 'writer', description: 'writes summaries from research notes' },
  ];
  await runtime.register(plannerAgent({ model: model('planner', plannerScript, 1), executors }));
  await runtime.register(
    strategyAgent({
      executors: executors.map((e) => e.name),
      rules: [{ name: 'writing', when: { tags: ['writing'] }, use: { executor: 'writer', retries: 0 } }],
      defaults: { retries: 1, backoffMs: 200 },
    }),
  );
  await runtime.register(
    reactAgent({ type: 'researcher', model: model('researcher', researcherScript, 2), tools: [notes] }),
    { instances: 2 },
  );
  await runtime.register(reactAgent({ type: 'writer', model: model('writer', writerScript, 3) }));
  return executors;
}

/** Starts the research run and returns its handle (a runtime made here closes when the run ends). */
export async function startResearch(options: ResearchOptions = {}): Promise<OrchestrateHandle> {
  const own = options.runtime === undefined;
  const runtime = options.runtime ?? createRuntime({ namespace: 'research' });
  const executors = await registerResearchTeam(runtime, options);
  const topics = options.topics?.length ? options.topics : DEFAULT_TOPICS;
  const handle = orchestrate(researchGoal(topics), {
    runtime,
    executors,
    maxConcurrency: options.maxConcurrency ?? 4,
    ...(options.store ? { store: options.store } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (own) void handle.result.then(noop, noop).finally(() => runtime.close());
  return handle;
}

function noop(): void {}

if (import.meta.url === `file://${process.argv[1]}`) {
  const topics = process.argv.slice(2);
  const handle = await startResearch({ topics });
  const report = await printRun(handle);
  process.exitCode = report.status === 'completed' ? 0 : 1;
}
