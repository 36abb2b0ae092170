import { connect } from '@nats-io/transport-node';
import {
  CancelledError,
  ClosedError,
  createRuntime,
  defineAgent,
  TimeoutError,
  TransportError,
  ValidationError,
} from '@troupe/core';
import { createDispatcher, startDurableWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';

const task = (n: number) => ({ to: { type: 'job' }, message: { type: 'job.work', payload: { n } } });

/** How long `promise` takes to settle, ms, and what it rejected with. */
async function rejection(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - start };
}

natsSuite('dispatch() while the server is unreachable', () => {
  it('should give up at options.timeout and at an abort, not after the 5 s ack wait, then dispatch again once the server is back', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      await using dispatcher = await createDispatcher({ nc, namespace: 'deadline' });
      const bad = await rejection(dispatcher.dispatch(task(0), { timeout: Number.NaN }));
      expect(bad.error).toBeInstanceOf(ValidationError);
      expect((bad.error as ValidationError).issues[0]?.path).toBe('options.timeout');

      await server.stop();
      // A wait that runs out while the server is unreachable says so: the result may exist unread.
      const unread = await rejection(dispatcher.result('never-dispatched', { timeout: 300 }));
      expect(unread.error).toBeInstanceOf(TimeoutError);
      expect((unread.error as Error).message).toContain('connection is down');
      // The first attempt is waiting for an ack that cannot come: the dispatch's own bound ends it.
      const late = await rejection(dispatcher.dispatch(task(1), { timeout: 300 }));
      expect(late.error).toBeInstanceOf(TransportError);
      expect((late.error as TransportError).message).toContain('options.timeout');
      // Generous: the publisher's own ack wait (5 s) is what this must not wait for.
      expect(late.ms).toBeLessThan(4_000);

      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('user stopped')), 200);
      const aborted = await rejection(dispatcher.dispatch(task(2), { signal: controller.signal }));
      expect(aborted.error).toBeInstanceOf(CancelledError);
      expect((aborted.error as Error).message).toContain('user stopped');
      expect(aborted.ms).toBeLessThan(4_000);

      // Setting up needs JetStream to answer: a typed error naming the step, not nats.js's bare timeout.
      const runtime = createRuntime({ namespace: 'deadline' });
      await runtime.register(defineAgent({ type: 'job', handles: {} }));
      const [setupDispatcher, setupWorker] = await Promise.all([
        rejection(createDispatcher({ nc, namespace: 'deadline' })),
        rejection(startDurableWorker({ nc, runtime })),
      ]);
      await runtime.close();
      for (const setup of [setupDispatcher, setupWorker]) {
        expect(setup.error).toBeInstanceOf(TransportError);
        expect((setup.error as Error).message).toContain('JetStream setup');
      }

      await server.restart();
      const id = await dispatcher.dispatch(task(3), { timeout: 30_000 });
      expect(await dispatcher.peek(id)).toBeUndefined();
    } finally {
      await nc.close();
    }
  });

  it('should refuse a signal that is not one, and stop at once when the connection closes for good', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await using dispatcher = await createDispatcher({ nc, namespace: 'closing' });
    const controller = new AbortController();
    const notASignal = await rejection(
      dispatcher.dispatch(task(1), { signal: controller as unknown as AbortSignal }),
    );
    expect(notASignal.error).toBeInstanceOf(ValidationError);
    expect((notASignal.error as ValidationError).issues[0]?.path).toBe('options.signal');
    // Neither the array (zod refuses it) nor a getter's say reaches the queue: the validated copy does.
    const arrayTo = Object.assign([], { type: 'job' }) as unknown as { type: string };
    const refused = await rejection(dispatcher.dispatch({ ...task(2), to: arrayTo }));
    expect(refused.error).toBeInstanceOf(ValidationError);

    await server.stop();
    const pending = rejection(dispatcher.dispatch(task(3), { timeout: Number.POSITIVE_INFINITY }));
    setTimeout(() => void nc.close(), 300);
    const closed = await pending;
    expect(closed.error).toBeInstanceOf(ClosedError);
    expect(closed.ms).toBeLessThan(4_000);
    const after = await rejection(dispatcher.dispatch(task(4)));
    expect(after.error).toBeInstanceOf(ClosedError);
  });
});
