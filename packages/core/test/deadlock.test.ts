import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AgentAddress,
  createRuntime,
  DeadlockError,
  defineAgent,
  defineMessage,
  ErrorCode,
  errorFromWire,
  errorToWire,
  on,
  type Runtime,
} from '../src/index.js';

// The inner asks get a timeout no test could outlive: a TimeoutError cannot stand in for the deadlock.
const FOREVER = 600_000;

const Self = defineMessage('dl.self', z.object({}));
const Hop = defineMessage('dl.hop', z.object({ to: z.array(z.string()) }));
const Own = defineMessage('dl.own', z.object({}));
const Leaf = defineMessage('dl.leaf', z.object({}));

interface Caught {
  code: string | undefined;
  name: string;
  message: string;
  chain: unknown;
}

function caught(err: unknown): Caught {
  const e = err as DeadlockError;
  return { code: e.code, name: e.name, message: e.message, chain: e.data?.chain };
}

/** `dl.hop` asks the next `type/key` in `to`; the first handler catches what comes back. */
function hopper(type: string) {
  return defineAgent({
    type,
    handles: {
      [Self.type]: on(Self, (_p, ctx) =>
        ctx.ask(ctx.self, Self.create({}), { timeout: FOREVER }).catch(caught),
      ),
      [Hop.type]: on(Hop, async ({ to }, ctx): Promise<unknown> => {
        const [next, ...rest] = to;
        if (next === undefined) return `${ctx.self.type}/${ctx.self.key}`;
        const [t, key] = next.split('/') as [string, string];
        const target: AgentAddress = { type: t, key };
        return ctx.ask(target, Hop.create({ to: rest }), { timeout: FOREVER });
      }),
      [Own.type]: on(Own, (_p, ctx) =>
        ctx.ask({ type }, Leaf.create({}), { timeout: FOREVER }).catch(caught),
      ),
      [Leaf.type]: on(Leaf, (_p, ctx) => ctx.self.key),
    },
  });
}

const A = hopper('dl.a');
const B = hopper('dl.b');

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
});

describe('deadlock detection', () => {
  it('should fail ctx.ask(ctx.self) at once with DeadlockError naming the chain', async () => {
    rt = createRuntime();
    await rt.register(A);
    const got = (await rt.ref(A, 'k').ask(Self.create({}), { timeout: FOREVER })) as Caught;
    expect(got.code).toBe(ErrorCode.Deadlock);
    expect(got.code).toBe('DEADLOCK');
    expect(got.name).toBe('DeadlockError');
    expect(got.message).toContain('dl.a/k → dl.a/k');
    expect(got.chain).toEqual(['dl.a/k', 'dl.a/k']);
  });

  it('should fail a cycle A/k → B/k → A/k at once, and the first handler can catch it', async () => {
    rt = createRuntime();
    await rt.register(A);
    await rt.register(B);
    const ask = rt.ref(A, 'k').ask(Hop.create({ to: ['dl.b/k', 'dl.a/k'] }), { timeout: FOREVER });
    const err = await ask.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).message).toContain('dl.a/k → dl.b/k → dl.a/k');
    expect((err as DeadlockError).data?.chain).toEqual(['dl.a/k', 'dl.b/k', 'dl.a/k']);
    // Nothing is left stuck: the instances answer again.
    await expect(rt.ref(A, 'k').ask(Hop.create({ to: [] }))).resolves.toBe('dl.a/k');
    await expect(rt.ref(B, 'k').ask(Hop.create({ to: [] }))).resolves.toBe('dl.b/k');
  });

  it('should catch a longer cycle, and let chains through other keys of the same types pass', async () => {
    rt = createRuntime();
    await rt.register(A);
    await rt.register(B);
    const long = rt.ref(A, 'x').ask(Hop.create({ to: ['dl.b/x', 'dl.a/y', 'dl.b/y', 'dl.b/x'] }));
    await expect(long).rejects.toThrow('dl.a/x → dl.b/x → dl.a/y → dl.b/y → dl.b/x');
    const fine = rt.ref(A, 'p').ask(Hop.create({ to: ['dl.b/p', 'dl.a/q', 'dl.b/q', 'dl.a/r'] }));
    await expect(fine).resolves.toBe('dl.a/r');
  });

  it('should fail an instance asking its own type with a single instance, and pass with a pool', async () => {
    rt = createRuntime();
    await rt.register(A);
    await rt.register(B, { instances: 2 });
    const single = (await rt.ref(A).ask(Own.create({}), { timeout: FOREVER })) as Caught;
    expect(single.code).toBe('DEADLOCK');
    expect(single.message).toContain('dl.a/_0 → dl.a');
    expect(await rt.ref(B).ask(Own.create({}), { timeout: FOREVER })).toMatch(/^_[01]$/);
  });

  it('should carry DeadlockError across the wire typed', () => {
    const err = new DeadlockError('deadlock: a/k → a/k', { data: { chain: ['a/k', 'a/k'] } });
    const back = errorFromWire(errorToWire(err));
    expect(back).toBeInstanceOf(DeadlockError);
    expect(back.code).toBe('DEADLOCK');
    expect(back.data).toEqual({ chain: ['a/k', 'a/k'] });
  });
});
