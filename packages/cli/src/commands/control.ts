import { connectNats } from '@troupe/nats';
import { sendFileRequest } from '../control/fileInbox.js';
import { sendNatsRequest } from '../control/natsControl.js';
import type { ControlReply, ControlRequest } from '../control/request.js';
import { UnknownRunError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { runPaths } from '../runs/layout.js';
import { findRun, type RunListing } from '../runs/listRuns.js';
import { writeRunRecord } from '../runs/RunRecord.js';

/** Options of the control commands. */
export interface ControlOptions {
  store: string;
  nats?: string;
  namespace: string;
  /** Ms to wait for the run's reply (default 10 000). */
  timeout?: number;
}

/** How a control request went: the live run's reply, or that no process runs it. */
export type Delivery = { live: true; reply: ControlReply } | { live: false; run: RunListing | undefined };

/**
 * Delivers a control request to a running run: with `--nats`, on the run's control subject (the run
 * may be on another machine); otherwise through the run's `control/` directory in the store, when a
 * live process holds the run.
 */
export async function deliverControl(
  runId: string,
  request: ControlRequest,
  options: ControlOptions,
): Promise<Delivery> {
  const run = await findRun(options.store, runId);
  const timeout = options.timeout ?? 10_000;
  if (options.nats !== undefined) {
    const transport = await connectNats({
      connection: { servers: options.nats.split(',') },
      progress: false,
    });
    try {
      const nc = transport.connection;
      const reply = nc
        ? await sendNatsRequest(nc, { namespace: options.namespace, runId }, request, { timeout })
        : undefined;
      if (reply !== undefined) return { live: true, reply };
    } finally {
      await transport.close();
    }
  } else if (run?.owner !== undefined) {
    return {
      live: true,
      reply: await sendFileRequest(runPaths(options.store, runId).control, request, { timeout }),
    };
  }
  return { live: false, run };
}

/**
 * `troupe pause|resume|cancel <runId>`: asks the process running it. A cancel of a run that no
 * process runs marks it cancelled in the store (so it is not taken for interrupted work).
 */
export async function controlCommand(
  runId: string,
  request: Extract<ControlRequest, { op: 'pause' | 'resume' | 'cancel' }>,
  options: ControlOptions,
  io: CliIo,
): Promise<ExitCodeValue> {
  const delivery = await deliverControl(runId, request, options);
  if (delivery.live) {
    io.stdout.write(`${runId}: ${delivery.reply.message} (state: ${delivery.reply.state})\n`);
    return delivery.reply.ok ? ExitCode.Ok : ExitCode.Failed;
  }
  const run = delivery.run;
  if (run === undefined)
    throw new UnknownRunError(
      runId,
      options.nats === undefined ? options.store : `${options.store} or namespace '${options.namespace}'`,
    );
  if (request.op === 'cancel' && run.state !== 'completed' && run.state !== 'cancelled') {
    const record = {
      ...run.record,
      state: 'cancelled' as const,
      reason: request.reason ?? 'cancelled by troupe cancel',
      updatedAt: Date.now(),
      finishedAt: Date.now(),
    };
    await writeRunRecord(runPaths(options.store, runId), record);
    io.stdout.write(
      `${runId}: no process is running it; marked cancelled (it can still be resumed with troupe run --resume ${runId})\n`,
    );
    return ExitCode.Ok;
  }
  io.stdout.write(
    `${runId}: no process is running it (state: ${run.state})` +
      (run.state === 'completed' ? '\n' : `; continue it with: troupe run --resume ${runId}\n`),
  );
  return request.op === 'cancel' ? ExitCode.Ok : ExitCode.Failed;
}
