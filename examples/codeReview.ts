/**
 * Multi-file code review of a real directory (the TaskGroup note's first scenario), through
 * `orchestrate` with a plan known in code: one reviewer sub-task per file, all at once (up to the
 * concurrency limit), then a summary that needs every review. The reviewers are ReAct agents that
 * read the file with a tool. Offline with no key (the scripted reviewer counts lines, exports,
 * TODOs and long lines); with OPENAI_API_KEY or ANTHROPIC_API_KEY the model reviews for real.
 *
 *   pnpm example examples/codeReview.ts [directory]   (default: packages/pipelines/src/orchestrate)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createModel,
  type PlanDraft,
  plannerAgent,
  reactAgent,
  type ScriptedResponder,
  strategyAgent,
  tool,
} from '@troupe/agents';
import { createRuntime } from '@troupe/core';
import { type OrchestrateReport, orchestrate } from '@troupe/pipelines';
import { z } from 'zod';
import { printRun } from './shared/printRun.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The files of `dir` to review (sources and docs, at most `max`). */
export function filesToReview(dir: string, max = 12): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs|md)$/.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .slice(0, max);
}

/** One review per file, then the summary. */
export function reviewPlan(files: readonly string[]): PlanDraft {
  const ids = files.map((_, i) => `review-${i + 1}`);
  return {
    subtasks: [
      ...files.map((file, i) => ({
        id: ids[i] as string,
        name: `review ${file}`,
        description: `Review the file ${file}: correctness, clarity, size; list concrete findings`,
        executor: 'reviewer',
        expectedOutput: 'a short list of findings',
        estimatedSeconds: 60,
        dependencies: [],
        tags: ['review'],
      })),
      {
        id: 'summary',
        name: 'summarize the reviews',
        description: 'Summarize the reviews: the files that need work first, and why',
        executor: 'lead',
        expectedOutput: 'a ranked summary',
        estimatedSeconds: 60,
        dependencies: ids,
        tags: ['summary'],
      },
    ],
  };
}

/** A review from a file's text, for the scripted reviewer (what a linter would say). */
export function quickReview(file: string, text: string): string {
  const lines = text.split('\n');
  const long = lines.filter((l) => l.length > 110).length;
  const exports = lines.filter((l) => /^export /.test(l)).length;
  const todos = lines.filter((l) => /TODO|FIXME/.test(l)).length;
  const verdict =
    lines.length > 400 ? 'split it (over 400 lines)' : long > 0 ? 'wrap the long lines' : 'fine';
  return `${file}: ${lines.length} lines, ${exports} exports, ${todos} TODOs, ${long} lines over 110 characters — ${verdict}`;
}

export async function main(
  dir = join(ROOT, 'packages/pipelines/src/orchestrate'),
): Promise<OrchestrateReport> {
  const files = filesToReview(dir);
  await using runtime = createRuntime({ namespace: 'review' });
  const readFile = tool({
    name: 'read_file',
    description: `Reads a file of ${relative(ROOT, dir) || '.'}`,
    input: z.object({ path: z.string() }),
    run: ({ path }) => {
      const full = resolve(dir, path);
      if (!full.startsWith(resolve(dir))) throw new Error('outside the reviewed directory');
      return readFileSync(full, 'utf8');
    },
  });
  const reviewer: ScriptedResponder = (request) => {
    const read = request.messages.find((m) => m.role === 'tool');
    const task = request.messages.find((m) => m.role === 'user')?.content ?? '';
    const file = /the file (\S+):/.exec(task)?.[1] ?? '';
    if (read === undefined) return { toolCalls: [{ name: 'read_file', arguments: { path: file } }] };
    return { text: quickReview(file, read.content) };
  };
  const lead: ScriptedResponder = (request) => {
    const reviews = (request.messages.at(-1)?.content.split('Context:\n')[1] ?? '')
      .split('\n')
      .filter(Boolean);
    const work = reviews.filter((r) => !r.endsWith('— fine'));
    return {
      text: `${work.length} of ${reviews.length} files need work:\n${work.map((r) => `- ${r.replace(/^review-\d+: /, '')}`).join('\n')}`,
    };
  };
  const model = (name: string, script: ScriptedResponder) =>
    createModel(undefined, { scripted: { name, script, latencyMs: [50, 200], record: false } });
  const executors = [
    { name: 'reviewer', description: 'reviews one file, reading it with read_file' },
    { name: 'lead', description: 'summarizes reviews' },
  ];
  await runtime.register(plannerAgent({ model: model('planner', () => ({})), executors }));
  await runtime.register(strategyAgent({ executors: ['reviewer', 'lead'], defaults: { retries: 0 } }));
  await runtime.register(
    reactAgent({ type: 'reviewer', model: model('reviewer', reviewer), tools: [readFile] }),
    {
      instances: 4,
    },
  );
  await runtime.register(reactAgent({ type: 'lead', model: model('lead', lead) }));
  console.log(`reviewing ${files.length} files of ${relative(ROOT, dir) || dir}`);
  const handle = orchestrate(`Review the code in ${relative(ROOT, dir) || dir}`, {
    runtime,
    executors,
    plan: reviewPlan(files),
    maxConcurrency: 4,
  });
  const report = await printRun(handle);
  console.log(`\n${String(report.subtasks.find((s) => s.id === 'summary')?.result ?? '')}`);
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await main(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.exitCode = report.status === 'completed' ? 0 : 1;
}
