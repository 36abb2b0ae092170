import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { Job, JobAgent, jobPayload } from './benchJob.js';
import { inFlight } from './lanes.js';

/**
 * Durable dispatch's own protocol written by hand on raw nats.js, with no runtime around it: the
 * bound that protocol puts on durable dispatch on this machine. Per task, as `dispatch()` and a
 * durable worker do: the task is published into a work-queue stream (with `Nats-Msg-Id`) and its
 * PubAck awaited; a pull consumer delivers it; the result is written to the results bucket's KV
 * subject with `Nats-Expected-Last-Subject-Sequence: 0` and, once stored, the task is acked; the
 * dispatcher sees the result through a watch on the bucket. Two JetStream writes and two
 * deliveries per task, where the raw floor (publish + pull/ack) has one of each.
 */

const DISPATCH_WINDOW = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Names shared by the dispatching side and the worker side of one measurement. */
export interface RawProtocolNames {
  stream: string;
  subject: string;
  consumer: string;
  bucket: string;
}

/** The names one measurement `id` uses. */
export function rawProtocolNames(id: string): RawProtocolNames {
  return { stream: `RP${id}`, subject: `rp.${id}.task`, consumer: 'job', bucket: `rp${id}` };
}

/** Creates the work-queue stream, its consumer and the results bucket. */
export async function setUpRawProtocol(nc: NatsConnection, id: string): Promise<RawProtocolNames> {
  const names = rawProtocolNames(id);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: names.stream,
    subjects: [`${names.subject}.>`],
    retention: RetentionPolicy.Workqueue,
  });
  await jsm.consumers.add(names.stream, {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(30_000),
  });
  await new Kvm(nc).create(names.bucket, { history: 1 });
  return names;
}

/**
 * The worker side: pulls tasks, runs the job, writes each result and acks after it is stored,
 * with at most `concurrency` tasks in flight. Resolves with a stop function once pulling.
 */
export async function startRawProtocolWorker(
  nc: NatsConnection,
  names: RawProtocolNames,
  concurrency: number,
): Promise<() => Promise<void>> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(names.stream, names.consumer);
  const messages = await consumer.consume({ max_messages: concurrency });
  let running = 0;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    for await (const msg of messages) {
      const task = JSON.parse(decoder.decode(msg.data)) as {
        taskId: string;
        runId: string;
        message: { payload: { n: number } };
      };
      const result = { taskId: task.taskId, runId: task.runId, ok: true, value: task.message.payload.n * 2 };
      running++;
      js.publish(`$KV.${names.bucket}.${task.taskId}`, encoder.encode(JSON.stringify(result)), {
        expect: { lastSubjectSequence: 0 },
      })
        .then(
          () => msg.ack(),
          () => msg.nak(),
        )
        .finally(() => {
          running--;
          wake?.();
        });
      while (running >= concurrency) await new Promise<void>((resolve) => (wake = resolve));
    }
  })();
  return async () => {
    messages.stop();
    await loop;
  };
}

/** The dispatching side: publishes `count` tasks of `runId` and waits for all their results. */
export async function dispatchRawAndCollect(
  nc: NatsConnection,
  names: RawProtocolNames,
  count: number,
  runId: string,
): Promise<void> {
  const js = jetstream(nc);
  const kv = await new Kvm(nc).open(names.bucket);
  // Current values first, then updates: what `watchResults` reads.
  const watch = await kv.watch();
  const collected = (async () => {
    let seen = 0;
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue;
      const result = entry.json<{ runId: string }>();
      if (result.runId === runId && ++seen === count) break;
    }
    watch.stop();
  })();
  await inFlight(count, DISPATCH_WINDOW, (i) => {
    const taskId = `${runId}-${i}`;
    const body = { v: 1, taskId, runId, to: { type: JobAgent.type }, message: Job.create(jobPayload(i)) };
    return js.publish(`${names.subject}.job`, encoder.encode(JSON.stringify(body)), { msgID: taskId });
  });
  await collected;
}

/** Tasks per second through the hand-written protocol, both sides in this process. */
export async function measureRawProtocol(options: {
  url: string;
  count: number;
  concurrency: number;
  warmup: number;
}): Promise<number> {
  const nc = await connect({ servers: options.url, noAsyncTraces: true });
  const workerNc = await connect({ servers: options.url, noAsyncTraces: true });
  try {
    const names = await setUpRawProtocol(nc, String(Date.now()));
    const stop = await startRawProtocolWorker(workerNc, names, options.concurrency);
    await dispatchRawAndCollect(nc, names, options.warmup, 'warmup');
    const start = performance.now();
    await dispatchRawAndCollect(nc, names, options.count, 'measured');
    const s = (performance.now() - start) / 1000;
    await stop();
    return options.count / s;
  } finally {
    await workerNc.close();
    await nc.close();
  }
}
