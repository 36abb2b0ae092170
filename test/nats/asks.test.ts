/**
 * Asks that could never be answered, over a real nats-server: an instance asking itself, a cycle
 * A/k → B/k → A/k across two workers (A served only by one, B only by the other, so the check
 * runs on the owner's side after the chain crossed the wire twice), a pool member asking its own
 * pool, and a worker closing while a handler it runs still asks its own agents.
 */
import {
  type AgentAddress,
  createRuntime,
  DeadlockError,
  defineAgent,
  defineMessage,
  on,
  type Runtime,
} from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';

// A TimeoutError cannot stand in for the deadlock: no test lives this long.
const FOREVER = 600_000;

const Self = defineMessage('nask.self', z.object({}));
const Hop = defineMessage('nask.hop', z.object({ to: z.array(z.string()) }));
const Fan = defineMessage('nask.fan', z.object({ n: z.number().int() }));
const Leaf = defineMessage('nask.leaf', z.object({}));

function hopper(type: string) {
  return defineAgent({
    type,
    handles: {
      [Self.type]: on(Self, (_p, ctx) => ctx.ask(ctx.self, Self.create({}), { timeout: FOREVER })),
      [Hop.type]: on(Hop, async ({ to }, ctx): Promise<unknown> => {
        const [next, ...rest] = to;
        if (next === undefined) return `${ctx.self.type}/${ctx.self.key}`;
        const [t, key] = next.split('/') as [string, string];
        const target: AgentAddress = { type: t, key };
        return ctx.ask(target, Hop.create({ to: rest }), { timeout: FOREVER });
      }),
      [Fan.type]: on(Fan, async ({ n }, ctx) => {
        const asks = Array.from({ length: n }, () =>
          ctx.ask<string>({ type }, Leaf.create({}), { timeout: FOREVER }),
        );
        return { asker: ctx.self.key, by: await Promise.all(asks) };
      }),
      [Leaf.type]: on(Leaf, async (_p, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return ctx.self.key;
      }),
    },
  });
}

const A = hopper('nask.a');
const B = hopper('nask.b');
const Pool = hopper('nask.pool');

async function runtimeOn(url: string): Promise<Runtime> {
  return createRuntime({ transport: await connectNats({ connection: { servers: url } }), namespace: 'asks' });
}

natsSuite('asks that can never be answered, over NATS', () => {
  it('should fail ctx.ask(ctx.self) at once with a typed DeadlockError', { timeout: 60_000 }, async () => {
    await using nats = await startNatsServer();
    await using worker = await runtimeOn(nats.url);
    await using client = await runtimeOn(nats.url);
    await worker.register(A);
    const err = await client
      .ref(A, 'k')
      .ask(Self.create({}), { timeout: FOREVER })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).code).toBe('DEADLOCK');
    expect((err as DeadlockError).message).toContain('nask.a/k → nask.a/k');
  });

  it('should fail a cycle across two workers at once, naming the chain', { timeout: 60_000 }, async () => {
    await using nats = await startNatsServer();
    await using one = await runtimeOn(nats.url);
    await using two = await runtimeOn(nats.url);
    await using client = await runtimeOn(nats.url);
    await one.register(A);
    await two.register(B);
    const err = await client
      .ref(A, 'k')
      .ask(Hop.create({ to: ['nask.b/k', 'nask.a/k'] }), { timeout: FOREVER })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).message).toContain('nask.a/k → nask.b/k → nask.a/k');
    expect((err as DeadlockError).data?.chain).toEqual(['nask.a/k', 'nask.b/k', 'nask.a/k']);
    // A chain that only passes through other keys is answered.
    const fine = client.ref(A, 'p').ask(Hop.create({ to: ['nask.b/p', 'nask.a/q', 'nask.b/q'] }));
    await expect(fine).resolves.toBe('nask.b/q');
  });

  it('should route a pool member asking its own pool to the other members', { timeout: 60_000 }, async () => {
    await using nats = await startNatsServer();
    await using worker = await runtimeOn(nats.url);
    await using client = await runtimeOn(nats.url);
    await worker.register(Pool, { instances: 4 });
    const { asker, by } = (await client.ref(Pool).ask(Fan.create({ n: 10 }), { timeout: 30_000 })) as {
      asker: string;
      by: string[];
    };
    expect(by).toHaveLength(10);
    expect(by).not.toContain(asker);
  });

  it('should fail a single instance asking its own type at once', { timeout: 60_000 }, async () => {
    await using nats = await startNatsServer();
    await using worker = await runtimeOn(nats.url);
    await using client = await runtimeOn(nats.url);
    await worker.register(A);
    const err = await client
      .ref(A)
      .ask(Fan.create({ n: 1 }), { timeout: FOREVER })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).message).toContain('nask.a/_0 → nask.a');
  });

  it('should let a handler in flight when its worker closes ask its own agents', {
    timeout: 60_000,
  }, async () => {
    await using nats = await startNatsServer();
    const worker = await runtimeOn(nats.url);
    await using client = await runtimeOn(nats.url);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const Front = defineAgent({
      type: 'nask.front',
      handles: {
        [Leaf.type]: on(Leaf, async (_p, ctx) => {
          started();
          await gate;
          return ctx.ask({ type: 'nask.b', key: 'x' }, Hop.create({ to: ['nask.a/x'] }));
        }),
      },
    });
    await worker.register(Front);
    await worker.register(A);
    await worker.register(B);
    const answer = client.ref(Front).ask(Leaf.create({}), { timeout: 30_000 });
    await running;
    const closing = worker.close();
    open();
    await expect(answer).resolves.toBe('nask.a/x');
    await closing;
  });
});
