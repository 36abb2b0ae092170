import { createRuntime } from '@troupe/core';
import { TaskGroup, type TaskGroupResults } from '@troupe/pipelines';
import { ClaudeCodeRunner, runnerAgent } from '@troupe/runners';
import { standInCommand } from '@troupe/testing';

// Three headless Claude Code sessions as one TaskGroup, two at a time, each a `coder` agent's
// sub-task. This runs the stand-in `claude` from @troupe/testing (same output format, no account
// needed); with Claude Code installed, leave out `command` and the real `claude` runs.
export async function main(): Promise<TaskGroupResults> {
  await using runtime = createRuntime();
  const claude = new ClaudeCodeRunner({ command: standInCommand('claude'), permissionMode: 'acceptEdits' });
  await runtime.register(runnerAgent(claude, { type: 'coder', start: { timeout: 30 * 60_000 } }), {
    instances: 3,
  });

  const group = new TaskGroup('design system', { runtime, agent: 'coder', maxConcurrent: 2 })
    .addTask('tokens', { prompt: 'Deploy the design tokens' })
    .addTask('tailwind', { prompt: 'Update the Tailwind config' })
    .addTask('docs', { prompt: 'Write the design system docs' });
  group.progress$.subscribe((e) => {
    if (e.kind === 'task.tool_call' && e.status === 'started') console.log(`  ${e.tool}`);
  });
  for await (const task of group.spawnAll()) {
    console.log(
      `${task.label}: ${task.status} (${group.getProgress()}) ${String(task.result ?? task.error)}`,
    );
  }
  group.printSummary();
  return group.getResults();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
