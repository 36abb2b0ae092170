/**
 * pnpm example examples/demo.ts — a small research team on the in-process runtime: a coordinator
 * splits a question into sub-questions, three researcher instances work on
 * them concurrently (with a scripted model: deterministic, no key, no
 * server), a writer combines the notes. Progress prints as it happens: every
 * event, and each run's overall % (it only ever goes up: the coordinator
 * announces its four sub-tasks before it asks for them). Then a TaskGroup sends
 * the report to four reviewers, two at a time, with X/Y progress and a summary
 * table.
 */
import {
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type ProgressEvent,
  trackProgress,
} from '@troupe/core';
import { TaskAssign, TaskGroup } from '@troupe/pipelines';
import { distinctUntilChanged, filter, lastValueFrom, map } from 'rxjs';
import { z } from 'zod';

const Investigate = defineMessage('team.investigate', z.object({ question: z.string().min(1) }));
const Research = defineMessage('team.research', z.object({ topic: z.string() }));
const Write = defineMessage('team.write', z.object({ question: z.string(), notes: z.array(z.string()) }));

/** A scripted model: the same prompt always gets the same answer, after a short "think". */
async function scriptedModel(prompt: string, signal: AbortSignal): Promise<{ text: string; tokens: number }> {
  const words = prompt.split(/\s+/).filter(Boolean);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, 40 + (words.length % 5) * 15);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
  const lines = [
    'mailboxes that handle one message at a time make agent state easy to reason about',
    'cancellation and timeouts must cross process boundaries, or long runs leak work',
    'one progress stream lets a terminal, a dashboard and a test watch the same run',
    'location transparency lets the same code run in one process or across machines',
  ];
  const hash = [...prompt].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return { text: lines[hash % lines.length] as string, tokens: words.length * 3 };
}

const Researcher = defineAgent({
  type: 'team.researcher',
  initialState: () => ({ done: 0 }),
  handles: {
    [Research.type]: on(Research, async ({ topic }, ctx) => {
      ctx.emit({ kind: 'task.progress', percent: 10, step: `searching "${topic}"` });
      ctx.emit({
        kind: 'task.tool_call',
        tool: 'web.search',
        callId: `${ctx.taskId}:search`,
        status: 'started',
      });
      const answer = await scriptedModel(`summarize what is known about ${topic}`, ctx.signal);
      ctx.emit({
        kind: 'task.tool_call',
        tool: 'web.search',
        callId: `${ctx.taskId}:search`,
        status: 'succeeded',
      });
      ctx.emit({ kind: 'task.tokens', input: answer.tokens, output: answer.tokens / 3, model: 'scripted' });
      ctx.setState((s: { done: number }) => ({ done: s.done + 1 }));
      return `${topic}: ${answer.text}`;
    }),
  },
});

const Writer = defineAgent({
  type: 'team.writer',
  handles: {
    [Write.type]: on(Write, async ({ question, notes }, ctx) => {
      ctx.emit({ kind: 'task.progress', percent: 50, step: 'drafting the report' });
      const draft = await scriptedModel(`write a report on ${question}`, ctx.signal);
      ctx.emit({ kind: 'task.artifact', name: 'report.md', mimeType: 'text/markdown' });
      return [`# ${question}`, '', ...notes.map((n) => `- ${n}`), '', draft.text].join('\n');
    }),
  },
});

const Coordinator = defineAgent({
  type: 'team.coordinator',
  handles: {
    [Investigate.type]: on(Investigate, async ({ question }, ctx) => {
      const topics = ['prior work', 'open problems', 'practical impact'].map(
        (aspect) => `${aspect} of ${question}`,
      );
      ctx.emit({ kind: 'task.log', level: 'info', message: `split into ${topics.length} sub-questions` });
      // Announce the whole plan (three researchers, then the writer) before starting it, so the
      // run's progress is split four ways from the start and never goes back.
      ctx.emit({ kind: 'task.progress', expectedSubtasks: topics.length + 1, step: 'researching' });
      const notes = await Promise.all(
        topics.map((topic) => ctx.ask<string>(Researcher, Research.create({ topic }))),
      );
      return ctx.ask<string>(Writer, Write.create({ question, notes }));
    }),
  },
});

const Reviewer = defineAgent({
  type: 'team.reviewer',
  handles: {
    [TaskAssign.type]: on(TaskAssign, async ({ label, prompt, model }, ctx) => {
      const review = await scriptedModel(`${model} reviews ${prompt} for ${label}`, ctx.signal);
      return `${label}: ${review.text}`;
    }),
  },
});

function describe(e: ProgressEvent): string {
  switch (e.kind) {
    case 'task.progress':
      return `${e.percent ?? ''}% ${e.step ?? ''}`;
    case 'task.tool_call':
      return `${e.tool} ${e.status}`;
    case 'task.tokens':
      return `+${e.input} in / +${e.output} out tokens`;
    case 'task.log':
      return e.message;
    case 'task.artifact':
      return `artifact ${e.name}`;
    case 'task.started':
      return `started ${e.name ?? ''}`;
    default:
      return '';
  }
}

await using runtime = createRuntime({ namespace: 'demo' });
await runtime.register(Coordinator);
await runtime.register(Researcher, { instances: 3 });
await runtime.register(Writer);
await runtime.register(Reviewer, { instances: 2 });

const t0 = Date.now();
runtime.progress$.subscribe((e) => {
  const when = `${String(Date.now() - t0).padStart(4)} ms`;
  console.log(`${when}  ${(e.agent ?? '').padEnd(20)} ${e.kind.padEnd(15)} ${describe(e)}`);
});
const summary = lastValueFrom(trackProgress(runtime.progress$, { name: 'research team' }));
/** Prints a run's overall progress each time its whole-percent value changes. */
function showProgress(label: string, runId: string): void {
  trackProgress(runtime.progress$.pipe(filter((e) => e.runId === runId)))
    .pipe(
      map((p) => Math.floor(p.overallProgress)),
      distinctUntilChanged(),
    )
    .subscribe((percent) => console.log(`progress ${label} ${percent}%`));
}
showProgress('research', 'demo-run');

const report = await runtime
  .ref(Coordinator)
  .ask(Investigate.create({ question: 'actor runtimes for agents' }), {
    runId: 'demo-run',
    taskId: 'investigate',
    timeout: 10_000,
  });

console.log(`\n${report}\n`);

// Batch review: a TaskGroup dispatches four tasks, two at a time, and streams them back as they finish.
const group = new TaskGroup('review the report', {
  runtime,
  agent: 'team.reviewer',
  model: 'scripted',
  maxConcurrent: 2,
});
for (const aspect of ['accuracy', 'clarity', 'sources', 'structure']) {
  group.addTask(aspect, { prompt: `the ${aspect} of the report` });
}
showProgress('review', group.runId);
for await (const task of group.spawnAll())
  console.log(`review ${group.getProgress()}  ${task.label} ${task.status}`);
group.printSummary();

await runtime.close();
const progress = await summary;
const tasks = progress.subtasks.flatMap(function flat(s): typeof progress.subtasks {
  return [s, ...s.subtasks.flatMap(flat)];
});
console.log(
  `progress ${progress.overallProgress}% · ${tasks.filter((t) => t.status === 'completed').length}/${tasks.length} tasks completed · ` +
    `${progress.executionDetails.toolCalls.length} tool calls · ${progress.executionDetails.tokensUsed.total} tokens · ` +
    `${progress.artifacts.length} artifact · ${progress.executionDetails.elapsedTime} ms`,
);
