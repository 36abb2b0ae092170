import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import {
  carriedTrace,
  errorToWire,
  type Logger,
  type Runtime,
  TroupeError,
  ValidationError,
  validationErrorFromZod,
} from '@troupe/core';
import { truncateWireError } from '../fit.js';
import { isNoResponders } from '../natsErrors.js';
import { ReceivedHeaders } from '../ReceivedHeaders.js';
import type { NatsKvStore } from '../store/NatsKvStore.js';
import { FAILURES_HEADER, HANDBACKS_HEADER, TASK_ID_HEADER } from './names.js';
import type { ResultWriter } from './resultWriter.js';
import {
  type DeadLetter,
  type DurableTask,
  DurableTaskSchema,
  plainTask,
  type TaskResult,
} from './taskRecord.js';
import type { WorkerCounters } from './workerStats.js';

/** Everything {@link processTask} needs from its worker. */
export interface ProcessContext {
  runtime: Runtime;
  results: NatsKvStore;
  /** Records results once, with pipelined acks. */
  writer: ResultWriter;
  /** Runs a core publish (an ack) with the next batch of publishes, in the same socket write. */
  defer: (fn: () => void) => void;
  nc: NatsConnection;
  js: JetStreamClient;
  workerId: string;
  maxDeliver: number;
  /** Clean hand-backs allowed per task before a hand-back is a plain (counted) nak. */
  maxHandbacks: number;
  ackWaitMs: number;
  taskTimeout: number;
  deadLetterSubject: string;
  /** Messages being worked on, kept alive with `working()` by the worker. */
  running: Set<JsMsg>;
  /** Aborted when the worker abandons in-flight work (it is then left for redelivery). */
  abandon: AbortSignal;
  counters: WorkerCounters;
  logger: Logger;
}

type Verdict = { kind: 'done'; result: TaskResult } | { kind: 'retry'; error: unknown } | { kind: 'abandon' };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Runs one delivery of a task: skip it when a result exists, else ask the agent locally, record
 * the outcome with `setIfAbsent` and only then ack. Retryable failures are nak'ed with backoff
 * until the last allowed attempt, which dead-letters them; invalid tasks dead-letter at once.
 * Attempts are the failed deliveries before a hand-back (`Troupe-Failures`) plus this message's
 * deliveries: clean hand-backs never count.
 */
export async function processTask(msg: JsMsg, ctx: ProcessContext): Promise<void> {
  // One read of the header block for all three lookups (nats.js would build a map for each).
  const h = ReceivedHeaders.ofJs(msg);
  const handedBack = headerCount(h, HANDBACKS_HEADER) > 0;
  const deliveries = headerCount(h, FAILURES_HEADER) + msg.info.deliveryCount;
  const parsed = parseTask(msg.data);
  if (!parsed.ok) {
    await deadLetter(msg, ctx, { taskId: baseTaskId(msg, h), reason: errorToWire(parsed.error), deliveries });
    return;
  }
  const task = parsed.task;
  // Only a redelivery, or a task with a start timeout (its dispatcher may have recorded it as timed
  // out), can find its result already stored (a first delivery of a re-dispatched id still records
  // once, through setIfAbsent); skipping the lookup otherwise saves a round trip per task.
  const mayBeRecorded = deliveries > 1 || handedBack || task.startTimeout !== undefined;
  if (mayBeRecorded && (await ctx.results.has(task.taskId))) {
    ctx.counters.duplicates++;
    settle(() => msg.ack());
    return;
  }
  if (deliveries > ctx.maxDeliver) {
    // The server allows one delivery more than we do: this one means the last attempt was lost with its worker.
    const reason = errorToWire(
      new TroupeError('MAX_DELIVERIES', `task was delivered ${deliveries - 1} times without a result`),
    );
    await deadLetter(msg, ctx, { taskId: task.taskId, reason, deliveries: deliveries - 1, task });
    return;
  }
  // The worker sends `working()` for every message in here, so long tasks are not redelivered.
  ctx.running.add(msg);
  try {
    const verdict = await execute(task, deliveries, ctx);
    if (verdict.kind === 'abandon') {
      await handBack(msg, ctx);
    } else if (verdict.kind === 'retry') {
      if (deliveries >= ctx.maxDeliver) {
        await deadLetter(msg, ctx, {
          taskId: task.taskId,
          reason: errorToWire(verdict.error),
          deliveries,
          task,
        });
      } else {
        ctx.counters.retried++;
        settle(() => msg.nak(Math.min(250 * 2 ** (deliveries - 1), 5_000)));
      }
    } else if (!verdict.result.ok && verdict.result.error.code === 'VALIDATION') {
      await deadLetter(msg, ctx, { taskId: task.taskId, reason: verdict.result.error, deliveries, task });
    } else {
      let recorded: boolean;
      try {
        recorded = await record(ctx, verdict.result);
      } catch (err) {
        // The value cannot be stored at all: as for an invalid task, retrying cannot help.
        if (!(err instanceof ValidationError)) throw err;
        await deadLetter(msg, ctx, { taskId: task.taskId, reason: errorToWire(err), deliveries, task });
        return;
      }
      if (recorded) ctx.defer(() => settle(() => msg.ack()));
    }
  } finally {
    ctx.running.delete(msg);
  }
}

async function execute(task: DurableTask, deliveries: number, ctx: ProcessContext): Promise<Verdict> {
  const common = { taskId: task.taskId, deliveries, worker: ctx.workerId };
  const withRun = task.runId === undefined ? common : { ...common, runId: task.runId };
  try {
    const value = await ctx.runtime.ref(task.to).ask(task.message, {
      timeout: task.timeout ?? ctx.taskTimeout,
      signal: ctx.abandon,
      taskId: task.taskId,
      ...(task.runId === undefined ? {} : { runId: task.runId }),
      // The dispatch's trace context, what of it can travel on: the ask's span joins its trace; a
      // malformed one starts a new trace rather than failing the task (a nested ask over NATS would).
      ...carriedTrace(task),
    });
    ctx.counters.executed++;
    return { kind: 'done', result: { ...withRun, ok: true, value, finishedAt: Date.now() } };
  } catch (err) {
    ctx.counters.executed++;
    if (ctx.abandon.aborted) return { kind: 'abandon' };
    // Unknown errors come from the plumbing, not the agent: worth another delivery.
    if (!(err instanceof TroupeError) || err.retryable) return { kind: 'retry', error: err };
    const error = errorToWire(err);
    return {
      kind: 'done',
      result: { ...withRun, ok: false, error, deadLettered: false, finishedAt: Date.now() },
    };
  }
}

/**
 * Stores a result once (a racing duplicate loses `setIfAbsent` and is fine). Retries while the
 * server is unreachable rather than re-running the task; false when abandoned first.
 */
async function record(ctx: ProcessContext, result: TaskResult): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (await ctx.writer.recordOnce(result)) ctx.counters.recorded++;
      else ctx.counters.duplicates++;
      return true;
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      // Abandoned, or our connection is gone for good: leave the task to be redelivered elsewhere.
      if (ctx.abandon.aborted || ctx.nc.isClosed()) return false;
      if (attempt === 0) ctx.logger.warn('recording a task result failed; retrying', { error: String(err) });
      await sleep(Math.min(100 * 2 ** attempt, 2_000));
    }
  }
}

/**
 * Publishes the dead letter (de-duplicated per task), records the error as the result, then
 * terminates. A letter too large for the server is cut down so that it always lands: the task's
 * payload is left out (`taskOmitted`) and the reason truncated to its code and a message prefix.
 */
async function deadLetter(msg: JsMsg, ctx: ProcessContext, letter: Omit<DeadLetter, 'worker' | 'at'>) {
  const full = fitLetter({ ...letter, worker: ctx.workerId, at: Date.now() }, ctx.nc.info?.max_payload);
  const data = encoder.encode(JSON.stringify(full));
  try {
    await ctx.js.publish(ctx.deadLetterSubject, data, { msgID: `${letter.taskId}.dead` });
  } catch (err) {
    // No stream keeps this subject: a plain publish still reaches subscribers.
    if (!(err instanceof Error && isNoResponders(err.cause))) throw err;
    ctx.nc.publish(ctx.deadLetterSubject, data);
  }
  ctx.counters.deadLettered++;
  const result: TaskResult = {
    taskId: letter.taskId,
    ok: false,
    error: full.reason,
    deadLettered: true,
    deliveries: letter.deliveries,
    worker: ctx.workerId,
    finishedAt: full.at,
    ...(letter.task?.runId === undefined ? {} : { runId: letter.task.runId }),
  };
  if (await record(ctx, result)) settle(() => msg.term());
}

// Room for the `Nats-Msg-Id` header and framing.
const LETTER_SLACK = 1_024;

function fitLetter(letter: DeadLetter, max: number | undefined): DeadLetter {
  if (max === undefined || max <= 0) return letter;
  const budget = max - LETTER_SLACK;
  const size = Buffer.byteLength(JSON.stringify(letter));
  if (size <= budget) return letter;
  const fitted: DeadLetter = { ...letter, reason: truncateWireError(letter.reason, budget / 2) };
  if (letter.task) {
    const payload = Buffer.byteLength(JSON.stringify(letter.task.message.payload) ?? '');
    fitted.task = { ...letter.task, message: { type: letter.task.message.type, payload: null } };
    fitted.taskOmitted = { payloadBytes: payload };
  }
  return fitted;
}

function parseTask(data: Uint8Array): { ok: true; task: DurableTask } | { ok: false; error: Error } {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    return {
      ok: false,
      error: new ValidationError('task is not JSON', { issues: [{ path: '', message: 'not JSON' }] }),
    };
  }
  const plain = plainTask(json);
  if (plain !== undefined) return { ok: true, task: plain };
  const result = DurableTaskSchema.safeParse(json);
  if (!result.success) return { ok: false, error: validationErrorFromZod(result.error, '', 'durable task') };
  return { ok: true, task: result.data as DurableTask };
}

/**
 * Gives a task back on a clean shutdown without spending its delivery budget: re-queues it with
 * `Troupe-Handbacks` + 1 and `Troupe-Failures` (the failed deliveries so far), then acks this
 * delivery. Past `maxHandbacks`, or when the re-queue fails, it is nak'ed (and that counts).
 */
export async function handBack(msg: JsMsg, ctx: ProcessContext): Promise<void> {
  ctx.counters.abandoned++;
  const received = ReceivedHeaders.ofJs(msg);
  const handbacks = headerCount(received, HANDBACKS_HEADER) + 1;
  if (handbacks > ctx.maxHandbacks) {
    settle(() => msg.nak());
    return;
  }
  const h = headers();
  h.set(HANDBACKS_HEADER, String(handbacks));
  h.set(FAILURES_HEADER, String(headerCount(received, FAILURES_HEADER) + msg.info.deliveryCount - 1));
  try {
    // A fresh message id, so the stream's de-duplication of the task id does not drop it.
    await ctx.js.publish(msg.subject, msg.data, {
      msgID: `${baseTaskId(msg, received)}~h${handbacks}`,
      headers: h,
      timeout: 5_000,
    });
  } catch (err) {
    ctx.logger.debug('re-queueing a task on close failed; nak instead', { error: String(err) });
    settle(() => msg.nak());
    return;
  }
  settle(() => msg.ack());
}

function headerCount(h: ReceivedHeaders, name: string): number {
  const n = Number(h.get(name) || 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The task id its message id names (`<taskId>` or `<taskId>~h<n>` once handed back). */
function baseTaskId(msg: JsMsg, h: ReceivedHeaders): string {
  return (h.get(TASK_ID_HEADER) || `seq-${msg.seq}`).replace(/~h\d+$/, '');
}

/** Acks and friends throw once the connection is closed; the server then redelivers, which is safe. */
export function settle(ack: () => void): void {
  try {
    ack();
  } catch {
    // Nothing to do: an unacknowledged delivery comes back after ack wait.
  }
}
