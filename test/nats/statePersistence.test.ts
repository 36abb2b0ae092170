/**
 * When keyed state is saved, and what a worker that gets a key back answers from: with
 * `persist: 'message'`, a takeover after the owner is SIGKILLed resumes from the last answered
 * message; a worker cut off while its key moved and came back loads the state from the store
 * instead of answering from its stale in-memory instance.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { createRuntime, type Runtime } from '@troupe/core';
import { connectNats, NatsKvStore, ownerSubject, startWorker, type Worker } from '@troupe/nats';
import { natsSuite, startNatsServer, startTcpProxy } from '@troupe/testing';
import { expect, it } from 'vitest';
import { Inc, workerAgents } from './fixtures/agents.js';
import { untilNoResponders } from './support/untilNoResponders.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/statefulWorker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function spawnStateful(url: string, namespace: string, name: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, TEST_NATS_URL: url, TEST_NAMESPACE: namespace, TROUPE_TEST_WORKER: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready:\n${out}`)), 30_000);
    child.stdout?.on('data', () => {
      const id = /ready worker=(\S+)/.exec(out)?.[1];
      if (id) {
        clearTimeout(timer);
        resolve(id);
      }
    });
  });
  return {
    child,
    ready,
    exited,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function client(servers: string, namespace: string): Promise<Runtime> {
  return createRuntime({ transport: await connectNats({ connection: { servers } }), namespace });
}

natsSuite('keyed state across owners', () => {
  it('should resume from the last answered message after the owner is SIGKILLed', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using one = spawnStateful(server.url, 'persist', 'one');
    const oneId = await one.ready;
    await using asker = await client(server.url, 'persist');
    const ref = asker.ref({ type: 'nats.counter', key: 'k' });
    for (let i = 1; i <= 5; i++)
      expect(await ref.ask(Inc.create({}))).toMatchObject({ worker: 'one', count: i });
    await using _two = spawnStateful(server.url, 'persist', 'two');
    await _two.ready;
    one.child.kill('SIGKILL');
    await one.exited;
    await untilNoResponders(server.url, ownerSubject('persist', oneId, 'nats.counter', 'k'));
    // The survivor takes the key over and loads the state saved after the fifth message.
    expect(await ref.ask(Inc.create({}), { timeout: 15_000 })).toMatchObject({ worker: 'two', count: 6 });
  });

  it('should load the state from the store when a cut-off worker gets its key back', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using proxy = await startTcpProxy({ target: server.port });
    const nc = await connect({ servers: server.url });
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const start = async (servers: string, name: string): Promise<Worker> => {
      const { Counter } = workerAgents(name);
      return startWorker({
        connection: { servers, reconnectTimeWait: 50 },
        namespace: 'reclaim',
        agents: [{ ...Counter, persist: 'message' }],
        store: await NatsKvStore.open({ nc, bucket: 'troupe_reclaim_state' }),
        logger: quiet,
      });
    };
    try {
      await using a = await start(proxy.url, 'A');
      await using asker = await client(server.url, 'reclaim');
      const ref = asker.ref({ type: 'nats.counter', key: 'k' });
      for (let i = 1; i <= 4; i++) await ref.ask(Inc.create({}));
      const b = await start(server.url, 'B');
      // A is cut off for a few seconds; B takes the key over and goes on from the stored 4.
      proxy.cut();
      await untilNoResponders(server.url, ownerSubject('reclaim', a.transport.workerId, 'nats.counter', 'k'));
      expect(await ref.ask(Inc.create({}), { timeout: 10_000 })).toMatchObject({ worker: 'B', count: 5 });
      proxy.heal();
      // Back online, A finds the key moved and drops its instance.
      await expect.poll(() => a.transport.stats().lost, { timeout: 20_000 }).toBe(1);
      await b.transport.connection?.close();
      await untilNoResponders(server.url, ownerSubject('reclaim', b.transport.workerId, 'nats.counter', 'k'));
      await b.close().catch(() => {});
      // A gets the key back: 6 from the store, not 5 from the instance it had before the cut.
      expect(await ref.ask(Inc.create({}), { timeout: 15_000 })).toMatchObject({ worker: 'A', count: 6 });
    } finally {
      await nc.close();
    }
  });
});
