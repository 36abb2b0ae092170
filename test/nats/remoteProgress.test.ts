/**
 * Progress over NATS: a subscriber that joins a run late replays it from
 * the first event (JetStream), then follows it live; unsubscribing removes
 * its consumer.
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createRuntime, defineAgent, defineMessage, on, type ProgressEvent } from '@troupe/core';
import { connectNats, progressStreamName, remoteProgress$, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';

const Work = defineMessage('steps.work', z.object({ steps: z.number().int().positive() }));

/** Emits `steps` progress events; halfway through, waits until the test opens the gate. */
function stepper(gate: Promise<void>, halfway: () => void) {
  return defineAgent({
    type: 'nats.stepper',
    handles: {
      [Work.type]: on(Work, async ({ steps }, ctx) => {
        for (let i = 1; i <= steps; i++) {
          ctx.emit({ kind: 'task.progress', percent: (i / steps) * 100, step: `step ${i}` });
          if (i === Math.floor(steps / 2)) {
            halfway();
            await gate;
          }
        }
        return 'done';
      }),
    },
  });
}

natsSuite('remoteProgress$', () => {
  it('should replay a run from the start for a late subscriber, then follow it live', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let reachedHalfway!: () => void;
    const halfway = new Promise<void>((resolve) => {
      reachedHalfway = resolve;
    });
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'prog',
      agents: [stepper(gate, reachedHalfway)],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'prog',
    });
    const result = client
      .ref({ type: 'nats.stepper' })
      .ask(Work.create({ steps: 6 }), { runId: 'run-42', timeout: 30_000 });
    result.catch(() => {}); // awaited below; this keeps an early failure from surfacing as unhandled
    await halfway;

    // Joins after task.started and three progress events were published.
    const events: ProgressEvent[] = [];
    let seenBeforeGate = 0;
    const done = new Promise<void>((resolve, reject) => {
      const sub = remoteProgress$({
        connection: { servers: server.url },
        namespace: 'prog',
        runId: 'run-42',
      }).subscribe({
        next: (event) => {
          events.push(event);
          if (event.kind === 'task.completed') {
            sub.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    await expect.poll(() => events.length, { timeout: 20_000 }).toBe(4);
    seenBeforeGate = events.length;
    open();
    await expect(result).resolves.toBe('done');
    await done;

    expect(seenBeforeGate).toBe(4);
    expect(events.map((e) => e.kind)).toEqual([
      'task.started',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.completed',
    ]);
    expect(
      events.filter((e) => e.kind === 'task.progress').map((e) => (e as { step?: string }).step),
    ).toEqual(Array.from({ length: 6 }, (_, i) => `step ${i + 1}`));
    expect(events.every((e) => e.runId === 'run-42' && e.agent?.startsWith('nats.stepper/'))).toBe(true);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(worker.transport.stats().progressPublished).toBeGreaterThanOrEqual(8);

    // Unsubscribing removed the subscriber's consumer.
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await expect
        .poll(async () => (await jsm.consumers.list(progressStreamName('prog')).next()).length, {
          timeout: 10_000,
        })
        .toBe(0);
    } finally {
      await nc.close();
    }
  });

  it('should deliver events of other runs to nobody else, and skip invalid ones', async () => {
    await using server = await startNatsServer();
    await using worker = await startWorker({
      connection: { servers: server.url },
      namespace: 'iso',
      agents: [stepper(Promise.resolve(), () => {})],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'iso',
    });
    await client.ref({ type: 'nats.stepper' }).ask(Work.create({ steps: 2 }), { runId: 'other' });
    await client.ref({ type: 'nats.stepper' }).ask(Work.create({ steps: 2 }), { runId: 'mine' });
    const nc = await connect({ servers: server.url });
    nc.publish('troupe.iso.progress.mine', new TextEncoder().encode('{"kind":"task.progress"}'));
    nc.publish('troupe.iso.progress.mine', new TextEncoder().encode('not json'));
    await nc.flush();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const events: ProgressEvent[] = [];
    const sub = remoteProgress$({ nc, namespace: 'iso', runId: 'mine', logger: quiet }).subscribe((e) =>
      events.push(e),
    );
    try {
      await expect.poll(() => events.length, { timeout: 10_000 }).toBe(4);
      // A later run of `mine` is the sentinel: the stream is ordered, so anything wrongly let through
      // (the other run's events, the invalid messages) would have arrived before it.
      await client.ref({ type: 'nats.stepper' }).ask(Work.create({ steps: 2 }), { runId: 'mine' });
      await expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
      expect(events).toHaveLength(8);
      expect(events.every((e) => e.runId === 'mine')).toBe(true);
      expect(worker.transport.stats().progressPublished).toBe(12);
    } finally {
      sub.unsubscribe();
      await nc.close();
    }
  });
});
