/**
 * Batch content generation (the TaskGroup note's third scenario): a `TaskGroup` sends six
 * articles to writer agents, three at a time, with X/Y progress as each finishes, retries on a
 * flaky model, and a summary table. Offline with no key (a scripted model that fails once, to show
 * the retry); with OPENAI_API_KEY or ANTHROPIC_API_KEY the writers use that model.
 *
 *   pnpm example examples/batchWriting.ts
 */
import { type ChatModel, createModel, RateLimitError, type ScriptedResponder } from '@troupe/agents';
import { createRuntime, defineAgent, on } from '@troupe/core';
import { TaskAssign, TaskGroup, type TaskGroupResults } from '@troupe/pipelines';

export const ARTICLES: Record<string, string> = {
  'why actors': 'Why the actor model suits AI agents',
  'typed messages': 'Typed messages between agents with zod',
  'progress you can trust': 'Progress bars that never go backwards',
  backpressure: 'Backpressure for fleets of coding agents',
  'crash-safe runs': 'Crash-safe runs with a journal',
  'humans in the loop': 'Asking a human in the middle of a workflow',
};

/** A writer agent: one article per `task.assign` (its prompt), written by `model`. */
export function writerAgent(model: ChatModel) {
  return defineAgent({
    type: 'writer',
    handles: {
      [TaskAssign.type]: on(TaskAssign, async ({ label, prompt }, ctx) => {
        const { message, usage } = await model.chat({
          messages: [
            {
              role: 'system',
              content: 'You write short technical articles: a title line, then three sentences.',
            },
            { role: 'user', content: prompt ?? label },
          ],
          signal: ctx.signal,
          progress: ctx,
          agent: 'writer',
        });
        return {
          words: message.content.split(/\s+/).length,
          tokens: usage.inputTokens + usage.outputTokens,
          text: message.content,
        };
      }),
    },
  });
}

export async function main(): Promise<TaskGroupResults> {
  let calls = 0;
  const script: ScriptedResponder = (request) => {
    calls += 1;
    // The third call fails as a rate limit would: the group retries that task after a backoff.
    if (calls === 3) return { error: new RateLimitError('scripted rate limit', { retryAfter: 50 }) };
    const topic = request.messages.at(-1)?.content ?? '';
    return {
      text: `# ${topic}\n${topic} matters. Here is why. Here is how to start.`,
      latencyMs: 80 + (topic.length % 5) * 40,
    };
  };
  const model = createModel(undefined, {
    scripted: { name: 'writer', script, record: false },
    retry: { maxRetries: 0 },
  });
  await using runtime = createRuntime({ namespace: 'batch' });
  await runtime.register(writerAgent(model), { instances: 3 });
  const group = new TaskGroup('batch writing', {
    runtime,
    agent: 'writer',
    maxConcurrent: 3,
    retries: 2,
    taskTimeout: 120_000,
  });
  for (const [label, prompt] of Object.entries(ARTICLES)) group.addTask(label, { prompt });
  for await (const task of group.spawnAll()) {
    const words = (task.result as { words?: number } | undefined)?.words;
    console.log(
      `${group.getProgress().padStart(5)}  ${task.label}: ${task.status}${words ? `, ${words} words` : ''} (${task.attempts} attempt${task.attempts === 1 ? '' : 's'})`,
    );
  }
  group.printSummary();
  return group.getResults();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await main();
  process.exitCode = results.completed === results.total ? 0 : 1;
}
