/**
 * A multi-step deploy with dependencies (the TaskGroup note's fourth scenario, which needs the
 * DAG it lacked): build the API and the web app at once, test, migrate the database, wait for a
 * human to approve (the run stays `suspended` on that step while nothing else can go on), deploy
 * both, smoke-test. Runs through `orchestrate` with a plan known in code and steps in this process;
 * the journal goes to a FileStore, so `--resume <runId>` continues a run that was stopped.
 *
 *   pnpm example examples/deploy.ts [--ask] [--store .troupe] [--resume <runId>]
 *
 * Without `--ask` the approval is answered by the program (and printed); with it, you type it.
 */
import { createInterface } from 'node:readline/promises';
import { type PlanDraft, plannerAgent, ScriptedModel, strategyAgent } from '@troupe/agents';
import { createRuntime, FileStore } from '@troupe/core';
import {
  type ExecutorSpec,
  type OrchestrateHandle,
  type OrchestrateReport,
  orchestrate,
  resumeRun,
  type StepContext,
} from '@troupe/pipelines';
import { z } from 'zod';
import { printRun } from './shared/printRun.js';

const step = (id: string, executor: string, dependencies: string[], seconds = 5) => ({
  id,
  name: id,
  description: `${id.replace('-', ' ')}`,
  executor,
  expectedOutput: `${id} done`,
  estimatedSeconds: seconds,
  dependencies,
  tags: [],
});

/** The deploy's steps and what each needs first. */
export const DEPLOY_PLAN: PlanDraft = {
  subtasks: [
    step('build-api', 'shell', []),
    step('build-web', 'shell', []),
    step('test', 'shell', ['build-api', 'build-web'], 10),
    step('migrate-db', 'shell', ['test']),
    step('approve', 'human', ['migrate-db'], 60),
    step('deploy-api', 'shell', ['approve']),
    step('deploy-web', 'shell', ['approve']),
    step('smoke-test', 'shell', ['deploy-api', 'deploy-web']),
  ],
};

export const Approval = z.object({ approve: z.boolean(), note: z.string().optional() });

/** Pretends to do one step: a few progress reports over `ms`, stopping if the run is cancelled. */
async function work(name: string, ms: number, ctx: StepContext): Promise<string> {
  for (let p = 25; p <= 100; p += 25) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms / 4);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      });
    });
    ctx.emit({ kind: 'task.progress', percent: p, step: `${name}: ${p}%` });
  }
  return `${name}: ok`;
}

export const EXECUTORS: ExecutorSpec[] = [
  {
    name: 'shell',
    description: 'runs build, test and deploy commands',
    step: ({ subtask }, ctx) => work(subtask.id, 120, ctx),
  },
  {
    name: 'human',
    description: 'a person who approves production changes',
    step: async ({ inputs }, ctx) => {
      const { approve, note } = await ctx.suspend({
        question: `Migrations are done (${String(inputs['migrate-db'])}). Deploy to production?`,
        schema: Approval,
      });
      if (!approve) throw new Error(`deploy refused${note ? `: ${note}` : ''}`);
      return `approved${note ? `: ${note}` : ''}`;
    },
  },
];

/** Answers each question: from the terminal with `ask`, else with an approval. */
function answerQuestions(handle: OrchestrateHandle, ask: boolean): void {
  handle.progress$.subscribe((e) => {
    if (e.kind !== 'task.suspended') return;
    const answer = async () => {
      if (!ask) return { approve: true, note: 'approved by the example' };
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return { approve: /^y/i.test(await rl.question(`${e.question} [y/n] `)) };
      } finally {
        rl.close();
      }
    };
    answer()
      .then((a) => handle.resume(e.taskId, a))
      .catch((err: unknown) => console.error(err));
  });
}

export async function main(
  options: { ask?: boolean; storeDir?: string; resume?: string } = {},
): Promise<OrchestrateReport> {
  await using runtime = createRuntime({ namespace: 'deploy' });
  // The plan is known: the planner only re-plans (its scripted model answers without a key).
  await runtime.register(plannerAgent({ model: new ScriptedModel(), executors: EXECUTORS }));
  await runtime.register(
    strategyAgent({ executors: ['shell', 'human'], defaults: { retries: 1, backoffMs: 200 } }),
  );
  await using store = options.storeDir ? await FileStore.open({ dir: options.storeDir }) : undefined;
  const handle = options.resume
    ? resumeRun({
        runId: options.resume,
        store: store as FileStore,
        runtime,
        executors: EXECUTORS,
        maxConcurrency: 2,
      })
    : orchestrate('Deploy the API and the web app to production', {
        runtime,
        executors: EXECUTORS,
        plan: DEPLOY_PLAN,
        maxConcurrency: 2,
        ...(store ? { store } : {}),
      });
  console.log(
    `run ${handle.runId}${store ? ` (journal in ${options.storeDir}; continue with --resume ${handle.runId})` : ''}`,
  );
  answerQuestions(handle, options.ask === true);
  return await printRun(handle);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const storeDir = arg('store') ?? (arg('resume') ? '.troupe' : undefined);
  const report = await main({
    ask: process.argv.includes('--ask'),
    ...(storeDir ? { storeDir } : {}),
    ...(arg('resume') ? { resume: arg('resume') as string } : {}),
  });
  process.exitCode = report.status === 'completed' ? 0 : 1;
}
