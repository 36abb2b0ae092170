import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { createRuntime } from '@troupe/core';
import { createDispatcher, type Dispatcher, startDurableWorker } from '@troupe/nats';
import { Job, JobAgent, jobPayload } from './benchJob.js';
import { inFlight, seconds } from './lanes.js';

const DISPATCH_WINDOW = 512;
/**
 * Tasks run before measuring, in every case alike: enough for the JIT to compile the hot paths
 * (500 left the first case measured, whichever it was, partly interpreted).
 */
export const WARMUP_TASKS = 2_000;

/** Dispatches `count` jobs of one run and waits until every result of that run is recorded. */
export async function dispatchAndCollect(
  dispatcher: Dispatcher,
  count: number,
  runId: string,
): Promise<void> {
  const controller = new AbortController();
  const collected = (async () => {
    let seen = 0;
    for await (const _ of dispatcher.watchResults({ runId, signal: controller.signal })) {
      if (++seen === count) controller.abort();
    }
  })();
  await inFlight(count, DISPATCH_WINDOW, (i) =>
    dispatcher.dispatch({ to: { type: JobAgent.type }, message: Job.create(jobPayload(i)), runId }),
  );
  await collected;
}

/** Tasks per second through durable dispatch, with one worker in this process. */
export async function measureDurable(options: {
  url: string;
  count: number;
  concurrency: number;
}): Promise<number> {
  const nc = await connect({ servers: options.url, noAsyncTraces: true });
  const workerNc = await connect({ servers: options.url, noAsyncTraces: true });
  const namespace = `durable${Date.now()}`;
  const runtime = createRuntime({ namespace });
  try {
    await runtime.register(JobAgent, { instances: options.concurrency });
    await using _worker = await startDurableWorker({
      nc: workerNc,
      runtime,
      concurrency: options.concurrency,
    });
    await using dispatcher = await createDispatcher({ nc, namespace });
    await dispatchAndCollect(dispatcher, WARMUP_TASKS, 'warmup');
    const s = await seconds(() => dispatchAndCollect(dispatcher, options.count, 'measured'));
    return options.count / s;
  } finally {
    await runtime.close();
    await workerNc.close();
    await nc.close();
  }
}

/** The floor: raw JetStream publish of the same bytes into a work queue, pulled and acked by a consumer. */
export async function measureRawJetStream(options: {
  url: string;
  count: number;
  batch: number;
}): Promise<number> {
  const nc = await connect({ servers: options.url, noAsyncTraces: true });
  const consumerNc = await connect({ servers: options.url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = `RAW${Date.now()}`;
    await jsm.streams.add({
      name: stream,
      subjects: [`raw.${stream}.>`],
      retention: RetentionPolicy.Workqueue,
    });
    await jsm.consumers.add(stream, {
      durable_name: 'raw',
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
    });
    const js = jetstream(nc);
    const consumer = await jetstream(consumerNc).consumers.get(stream, 'raw');
    const encoder = new TextEncoder();
    // One standing consume for warm-up and measurement, like a durable worker: a stopped
    // consume leaves its pull request on the server, which would swallow the next run's first
    // messages until their ack wait (30 s) ran out.
    const messages = await consumer.consume({ max_messages: options.batch });
    let acked = 0;
    let target = 0;
    let reached: (() => void) | undefined;
    const consuming = (async () => {
      for await (const msg of messages) {
        msg.json<{ message: { payload: { n: number } } }>();
        msg.ack();
        if (++acked === target) reached?.();
      }
    })();
    const run = async (count: number, offset: number) => {
      const done = new Promise<void>((resolve) => {
        reached = resolve;
      });
      target = acked + count;
      await inFlight(count, DISPATCH_WINDOW, (i) => {
        const body = {
          v: 1,
          taskId: `t${offset + i}`,
          to: { type: JobAgent.type },
          message: Job.create(jobPayload(i)),
        };
        return js.publish(`raw.${stream}.job`, encoder.encode(JSON.stringify(body)), {
          msgID: `t${offset + i}`,
        });
      });
      await done;
    };
    await run(WARMUP_TASKS, 0);
    const s = await seconds(() => run(options.count, WARMUP_TASKS));
    messages.stop();
    await consuming;
    return options.count / s;
  } finally {
    await consumerNc.close();
    await nc.close();
  }
}
