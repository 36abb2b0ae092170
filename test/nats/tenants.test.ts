/**
 * Tenants isolated for real: NATS users confined to one namespace with
 * `namespacePermissions(ns)` can do everything Troupe does in their own
 * namespace (asks, keyed instances, progress, durable dispatch) and nothing in
 * another's: not reach its agents, not read its progress or results, not
 * cancel its runs. NATS accounts isolate further (separate subject spaces).
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, PermissionViolationError } from '@nats-io/transport-node';
import { createRuntime, NoRespondersError, UnauthorizedError } from '@troupe/core';
import {
  connectNats,
  controlSubject,
  createDispatcher,
  type NatsConnectOptions,
  namespacePermissions,
  remoteProgress$,
  resultsBucketName,
  startDurableWorker,
  startWorker,
} from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { firstValueFrom, take, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import { type Answer, Inc, Sleep, WhoAsk, workerAgents } from './fixtures/agents.js';

const enc = new TextEncoder();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function tenant(ns: string) {
  const { inboxPrefix, permissions } = namespacePermissions(ns);
  return { user: { user: ns, password: `${ns}-secret`, permissions }, inboxPrefix };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

natsSuite('tenants confined by NATS permissions', () => {
  it('should let a tenant use its own namespace fully and nothing of another', {
    timeout: 90_000,
  }, async () => {
    const blue = tenant('blue');
    const green = tenant('green');
    await using server = await startNatsServer({ auth: { users: [blue.user, green.user] } });
    const as = (t: typeof blue): NatsConnectOptions => ({
      servers: server.url,
      user: t.user.user,
      pass: t.user.password,
      inboxPrefix: t.inboxPrefix,
    });

    // Blue, everything Troupe does, under its confined user.
    const { Who, Counter, Slow } = workerAgents('blue');
    await using _worker = await startWorker({
      connection: as(blue),
      namespace: 'blue',
      agents: [Who, Counter, Slow],
    });
    await using blueClient = createRuntime({
      transport: await connectNats({ connection: as(blue) }),
      namespace: 'blue',
    });
    expect(((await blueClient.ref(Who).ask(WhoAsk.create({}))) as Answer).worker).toBe('blue');
    expect(await blueClient.ref(Counter, 'k').ask(Inc.create({}))).toMatchObject({ count: 1 });
    expect(await blueClient.ref(Counter, 'k').ask(Inc.create({}), { runId: 'blue-run' })).toMatchObject({
      count: 2,
    });
    const blueEvents = await firstValueFrom(
      remoteProgress$({ connection: as(blue), namespace: 'blue', runId: 'blue-run' }).pipe(
        take(2),
        toArray(),
      ),
    );
    expect(blueEvents.map((e) => e.kind)).toEqual(['task.started', 'task.completed']);
    const blueNc = await connect(as(blue));
    try {
      await using dispatcher = await createDispatcher({ nc: blueNc, namespace: 'blue' });
      const runtime = createRuntime({ namespace: 'blue', logger: quiet });
      await runtime.register(workerAgents('durable').Who);
      await using _durable = await startDurableWorker({ nc: blueNc, runtime, concurrency: 2 });
      const taskId = await dispatcher.dispatch({ to: { type: 'nats.who' }, message: WhoAsk.create({}) });
      expect(await dispatcher.result(taskId, { timeout: 20_000 })).toMatchObject({ worker: 'durable' });
      await runtime.close();
    } finally {
      await blueNc.close();
    }
    // Nothing blue did was refused.
    console.log(
      server
        .logs()
        .filter((l) => /violation/i.test(l))
        .join('\n'),
    );

    // Green, trying blue's things.
    const greenAsBlue = await connectNats({ connection: as(green), progress: false, logger: quiet });
    await using intruder = createRuntime({ transport: greenAsBlue, namespace: 'blue', logger: quiet });
    expect(await rejection(intruder.ref(Who).ask(WhoAsk.create({}), { timeout: 10_000 }))).toBeInstanceOf(
      UnauthorizedError,
    );
    expect(
      await rejection(intruder.ref(Counter, 'k').ask(Inc.create({}), { timeout: 10_000 })),
    ).toBeInstanceOf(UnauthorizedError);
    expect(
      await rejection(
        firstValueFrom(remoteProgress$({ connection: as(green), namespace: 'blue', runId: 'blue-run' })),
      ),
    ).toBeInstanceOf(UnauthorizedError);

    const greenNc = await connect(as(green));
    try {
      // Neither a plain subscription to blue's subjects nor JetStream reads of blue's streams and buckets.
      const refused = new Promise<Error | null>((resolve) => {
        greenNc.subscribe('troupe.blue.progress.>', { callback: (err) => resolve(err) });
      });
      expect(await refused).toBeInstanceOf(PermissionViolationError);
      const jsm = await jetstreamManager(greenNc);
      // nats.js 3 wraps a refused request in a RequestError caused by the violation.
      await expect(jsm.streams.getMessage('TROUPE_BLUE_PROGRESS', { seq: 1 })).rejects.toMatchObject({
        cause: expect.any(PermissionViolationError),
      });
      await expect(new Kvm(greenNc).create(resultsBucketName('blue'))).rejects.toMatchObject({
        cause: expect.any(PermissionViolationError),
      });

      // Nor cancel a blue run: the cancel is refused and the blue ask completes.
      const watcher = await connect(as(blue));
      const seen = new Promise<string>((resolve) => {
        watcher.subscribe('troupe.blue.agent.nats.slow', {
          callback: (_e, m) => resolve(m.headers?.get('id') ?? ''),
        });
      });
      await watcher.flush();
      const running = blueClient
        .ref(Slow)
        .ask(Sleep.create({ ms: 1_000 }), { runId: 'blue-long', timeout: 20_000 });
      const id = await seen;
      await watcher.close();
      const cancel = {
        id,
        reason: { code: 'CANCELLED', name: 'CancelledError', message: 'green says stop' },
      };
      greenNc.publish(controlSubject('blue', 'blue-long'), enc.encode(JSON.stringify(cancel)));
      await greenNc.flush();
      expect(await running).toMatchObject({ worker: 'blue' });
    } finally {
      await greenNc.close();
    }
    // Green works in its own namespace.
    await using _greenWorker = await startWorker({
      connection: as(green),
      namespace: 'green',
      agents: [workerAgents('green').Who],
    });
    await using greenClient = createRuntime({
      transport: await connectNats({ connection: as(green) }),
      namespace: 'green',
    });
    expect(((await greenClient.ref(Who).ask(WhoAsk.create({}))) as Answer).worker).toBe('green');
    // The server refused green's attempts, and nothing blue did (its permissions are enough for all of Troupe).
    const violations = server.logs().filter((l) => /Violation/.test(l));
    expect(violations.filter((l) => l.includes('User "blue"'))).toEqual([]);
    expect(violations.filter((l) => l.includes('User "green"')).length).toBeGreaterThanOrEqual(6);
  });

  it('should keep NATS accounts apart even when they use the same namespace', async () => {
    await using server = await startNatsServer({
      accounts: {
        BLUE: { users: [{ user: 'blue', password: 'b' }] },
        GREEN: { users: [{ user: 'green', password: 'g' }] },
      },
    });
    const { Who } = workerAgents('blue');
    await using _worker = await startWorker({
      connection: { servers: server.url, user: 'blue', pass: 'b' },
      namespace: 'shared',
      agents: [Who],
    });
    await using green = createRuntime({
      transport: await connectNats({ connection: { servers: server.url, user: 'green', pass: 'g' } }),
      namespace: 'shared',
    });
    expect(await rejection(green.ref(Who).ask(WhoAsk.create({}), { timeout: 10_000 }))).toBeInstanceOf(
      NoRespondersError,
    );
    await using blue = createRuntime({
      transport: await connectNats({ connection: { servers: server.url, user: 'blue', pass: 'b' } }),
      namespace: 'shared',
    });
    expect(((await blue.ref(Who).ask(WhoAsk.create({}))) as Answer).worker).toBe('blue');
  });
});
