import type { ProgressInput } from '@troupe/core';
import { dag, run, type StepContext, step } from '@troupe/pipelines';
import type { ProcessRunner } from '@troupe/runners';
import type { GoalWorkflow } from '@troupe/server';
import { filter, firstValueFrom } from 'rxjs';
import { z } from 'zod';
import type { Latches } from './latches.js';

/** A stand-in runner session: a real child process that answers the first line it reads. */
const ECHO = [
  process.execPath,
  '-e',
  "process.stdin.setEncoding('utf8');process.stdin.once('data',(d)=>{process.stdout.write('got: '+d.trim()+'\\n');process.exit(0)})",
];

/** What a scripted model call costs here (so cards show a model, tokens and a cost). */
function modelCall(ctx: StepContext, input: number, output: number): void {
  const call: ProgressInput = {
    kind: 'task.model_call',
    model: 'scripted-mini',
    provider: 'scripted',
    latencyMs: 120,
    inputTokens: input,
    outputTokens: output,
    costUsd: (input * 0.4 + output * 1.6) / 1_000_000,
  };
  ctx.emit(call);
  ctx.emit({ kind: 'task.tokens', input, output, model: 'scripted-mini' });
}

/**
 * The goal workflow of the end-to-end test: `design`, then `build`, `steer` and `approve` (after it).
 * `design` and `build` wait on the test's latches (`<goal>:design`, `<goal>:build`), so every
 * state stays on screen until the test moves on; `steer` starts a real process, attaches it to
 * the run's session board (what the board's message box reaches) and completes with its reply;
 * `approve` suspends with a question until the board answers it.
 */
export function e2eGoalWorkflow(latches: Latches, runner: ProcessRunner): GoalWorkflow {
  return (goal, ctx) => {
    const gated = (name: string, input: number) =>
      step(
        async (_: unknown, s: StepContext) => {
          s.emit({ kind: 'task.progress', percent: 20, step: `${name}: waiting for the test` });
          s.emit({ kind: 'task.log', level: 'info', message: `${name} started` });
          modelCall(s, input, input / 4);
          s.emit({ kind: 'task.tool_call', tool: 'search', callId: `${name}-1`, status: 'started' });
          s.emit({ kind: 'task.tool_call', tool: 'search', callId: `${name}-1`, status: 'succeeded' });
          await latches.wait(`${goal}:${name}`, s.signal);
          s.emit({ kind: 'task.artifact', name: `${name}.md`, mimeType: 'text/markdown', size: 1200 });
          s.emit({ kind: 'task.log', level: 'info', message: `${name} done` });
          return name;
        },
        { name },
      );
    const steer = step(
      async (_: unknown, s: StepContext) => {
        const session = await runner.start({ command: ECHO }, { signal: s.signal });
        const reply = firstValueFrom(session.output$.pipe(filter((l) => l.text.startsWith('got: '))));
        const detach = ctx.sessions.attach(s.taskId, session);
        s.emit({ kind: 'task.progress', percent: 10, step: 'waiting for a message' });
        s.emit({ kind: 'task.log', level: 'warn', message: 'steer: send me a message from the board' });
        try {
          const line = await reply;
          s.emit({ kind: 'task.log', level: 'info', message: `steer: the session said "${line.text}"` });
          await session.wait();
          return line.text;
        } finally {
          detach();
        }
      },
      { name: 'steer' },
    );
    const approve = step(
      async (_: unknown, s: StepContext) => {
        const { ship } = await s.suspend({ question: 'Ship it?', schema: z.object({ ship: z.boolean() }) });
        return ship ? 'shipped' : 'held';
      },
      { name: 'approve' },
    );
    const graph = dag(
      {
        design: { step: gated('design', 800) },
        approve: { deps: ['design'], step: approve },
        build: { deps: ['design'], step: gated('build', 2400) },
        steer: { deps: ['design'], step: steer },
      },
      { name: goal },
    );
    return run(graph, undefined, ctx.runOptions);
  };
}
