import { UnknownRunError, UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { runCommand } from '../session/runCommand.js';
import { type ControlOptions, deliverControl } from './control.js';
import { runSettings } from './run.js';

/**
 * `troupe answer <runId> <taskId> <json>`: answers a suspended sub-task. A running run gets the
 * answer at once (the task validates it against its schema and continues, its siblings never
 * stopped); a run that no process runs is resumed here, in the foreground, and the answer is given
 * when the task asks again.
 */
export async function answerCommand(
  runId: string,
  taskId: string,
  text: string,
  options: ControlOptions & { json?: boolean; plain?: boolean },
  io: CliIo,
): Promise<ExitCodeValue> {
  let answer: unknown;
  try {
    answer = JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`the answer must be JSON, got '${text}' (quote strings: '"yes"')`);
  }
  const delivery = await deliverControl(runId, { op: 'answer', taskId, answer }, options);
  if (delivery.live) {
    io.stdout.write(`${runId}: ${delivery.reply.message}\n`);
    return delivery.reply.ok ? ExitCode.Ok : ExitCode.Failed;
  }
  if (delivery.run === undefined) throw new UnknownRunError(runId, options.store);
  if (delivery.run.state === 'completed') {
    io.stdout.write(`${runId}: already completed; nothing waits for an answer\n`);
    return ExitCode.Failed;
  }
  io.stderr.write(`${runId}: no process is running it; resuming it with the answer for ${taskId}\n`);
  const settings = await runSettings(
    undefined,
    {
      resume: runId,
      store: options.store,
      ...(options.nats === undefined ? {} : { nats: options.nats }),
      ...(options.json ? { json: true } : {}),
      ...(options.plain ? { plain: true } : {}),
    },
    io,
    new Map([[taskId, answer]]),
  );
  return runCommand(settings, io);
}
