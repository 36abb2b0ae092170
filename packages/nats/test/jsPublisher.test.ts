import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  connect,
  type NatsConnection,
  NoRespondersError,
  TimeoutError,
} from '@nats-io/transport-node';
import { type NatsServer, natsSuite, startNatsServer } from '@troupe/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JetStreamPublisher } from '../src/durable/jsPublisher.js';
import { ResultWriter } from '../src/durable/resultWriter.js';
import type { TaskResult } from '../src/durable/taskRecord.js';
import { NatsKvStore } from '../src/store/NatsKvStore.js';

const data = (text: string) => new TextEncoder().encode(text);

natsSuite('JetStreamPublisher', () => {
  let server: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'PUB', subjects: ['pub.>'] });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.close();
  });

  it('should resolve each of many publishes in flight with its own ack', async () => {
    const publisher = new JetStreamPublisher(nc);
    try {
      const acks = await Promise.all(
        Array.from({ length: 300 }, (_, i) => publisher.publish(`pub.many.${i}`, data(`m${i}`))),
      );
      expect(new Set(acks.map((ack) => ack.seq)).size).toBe(300);
      expect(acks.every((ack) => ack.stream === 'PUB' && ack.duplicate === false)).toBe(true);
    } finally {
      publisher.close();
    }
  });

  it('should report a duplicate message id and refuse a second create of a subject', async () => {
    const publisher = new JetStreamPublisher(nc);
    try {
      const first = await publisher.publish('pub.dup', data('a'), { msgID: 'same' });
      const again = await publisher.publish('pub.dup', data('a'), { msgID: 'same' });
      expect(again).toMatchObject({ seq: first.seq, duplicate: true });
      await publisher.publish('pub.once', data('1'), { expectLastSubjectSequence: 0 });
      const second = publisher.publish('pub.once', data('2'), { expectLastSubjectSequence: 0 });
      await expect(second).rejects.toBeInstanceOf(JetStreamApiError);
    } finally {
      publisher.close();
    }
  });

  it('should reject when no stream takes the subject, and once closed', async () => {
    const publisher = new JetStreamPublisher(nc);
    await expect(publisher.publish('nowhere.x', data('x'))).rejects.toBeInstanceOf(NoRespondersError);
    publisher.close();
    await expect(publisher.publish('pub.closed', data('x'))).rejects.toBeInstanceOf(ClosedConnectionError);
  });

  it('should stop waiting for an ack at its own timeoutMs, and at once when its signal aborts', async () => {
    // A listener that never answers: the publish is sent, and no ack (nor "no responders") comes.
    const silent = nc.subscribe('silent.>');
    const publisher = new JetStreamPublisher(nc);
    try {
      await expect(publisher.publish('silent.a', data('a'), { timeoutMs: 50 })).rejects.toBeInstanceOf(
        TimeoutError,
      );
      const controller = new AbortController();
      const aborted = publisher.publish('silent.b', data('b'), { signal: controller.signal });
      const reason = new Error('stop');
      controller.abort(reason);
      await expect(aborted).rejects.toBe(reason);
      // Aborted before it was sent: refused without sending.
      await expect(publisher.publish('silent.c', data('c'), { signal: controller.signal })).rejects.toBe(
        reason,
      );
      // A publish still succeeds afterwards, its ack matched to it.
      expect((await publisher.publish('pub.after', data('x'))).stream).toBe('PUB');
    } finally {
      publisher.close();
      silent.unsubscribe();
    }
  });

  it('should record a result once, readable through the store, and say whether it did', async () => {
    const store = await NatsKvStore.open({ nc, bucket: 'results_writer_test' });
    const publisher = new JetStreamPublisher(nc);
    try {
      const writer = new ResultWriter({ store, publisher, nc });
      const result = (value: string): TaskResult => ({
        taskId: 'task:1.a',
        ok: true,
        value,
        deliveries: 1,
        worker: 'w',
        finishedAt: 1,
      });
      expect(await writer.recordOnce(result('first'))).toBe(true);
      expect(await writer.recordOnce(result('second'))).toBe(false);
      expect(await store.get('task:1.a')).toEqual(result('first'));
      // A deleted result leaves a marker; recording again goes through the store's create.
      await store.delete('task:1.a');
      expect(await writer.recordOnce(result('third'))).toBe(true);
      expect(await store.get('task:1.a')).toEqual(result('third'));
    } finally {
      publisher.close();
      await store.close();
    }
  });
});
