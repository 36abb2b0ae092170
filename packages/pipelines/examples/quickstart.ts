import { createRuntime, defineAgent, defineMessage, on, trackProgress } from '@troupe/core';
import { agentStep, parallel, run, sequential, TaskAssign, TaskGroup } from '@troupe/pipelines';
import { distinctUntilChanged, map } from 'rxjs';
import { z } from 'zod';

// An agent that takes TaskGroup tasks: it handles the well-known `task.assign` message.
const Writer = defineAgent({
  type: 'writer',
  handles: {
    [TaskAssign.type]: on(
      TaskAssign,
      ({ label, prompt, model }) => `${label}: wrote "${prompt}" with ${model}`,
    ),
  },
});

// An agent with a message of its own, used as a pipeline step.
const Shout = defineMessage('text.shout', z.object({ text: z.string() }));
const Shouter = defineAgent({
  type: 'shouter',
  handles: { [Shout.type]: on(Shout, ({ text }) => text.toUpperCase()) },
});

export async function main(): Promise<{ progress: string; shouted: string[] }> {
  await using runtime = createRuntime();
  await runtime.register(Writer, { instances: 2 });
  await runtime.register(Shouter);

  // Batch dispatch: three tasks, two at a time, with X/Y progress and a summary table.
  const group = new TaskGroup('docs', { runtime, agent: 'writer', model: 'sonnet', maxConcurrent: 2 })
    .addTask('intro', { prompt: 'an introduction' })
    .addTask('guide', { prompt: 'a user guide' })
    .addTask('faq', { prompt: 'a FAQ' });
  for await (const task of group.spawnAll()) console.log(`finished ${task.label} (${group.getProgress()})`);
  group.printSummary();

  // A typed pipeline: string → string[] (fan-out to two agent asks) → string[].
  const shout = agentStep(runtime.ref(Shouter), (text: string) => Shout.create({ text }));
  const pipeline = sequential([
    (topic: string) => `notes on ${topic}`,
    parallel([shout, (text: string) => text.split(' ').reverse().join(' ')], { failFast: true }),
    ([loud, reversed]) => [loud, reversed],
  ]);
  const handle = run(pipeline, 'actors', { name: 'shout' });
  trackProgress(handle.progress$)
    .pipe(
      map((p) => `${p.status} ${Math.round(p.overallProgress)}%`),
      distinctUntilChanged(),
    )
    .subscribe((line) => console.log(line));
  const shouted = await handle.result;
  console.log(shouted);
  return { progress: group.getProgress(), shouted };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
