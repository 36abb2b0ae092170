import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineAgent, defineMessage, on, type Runtime } from '../src/index.js';

const Fan = defineMessage(
  'pool.fan',
  z.object({ n: z.number().int(), together: z.boolean().default(false) }),
);
const Leaf = defineMessage('pool.leaf', z.object({ i: z.number().int() }));
const Hold = defineMessage('pool.hold', z.object({}));

/** Released by the test; leaves wait on it so that all of a fan-out is in flight at once. */
let gate: { promise: Promise<void>; open: () => void };
/** Released by the test; fans given `together` wait on it, so that they fan out at the same time. */
let fanGate: { promise: Promise<void>; open: () => void };
function makeGate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
function newGate(): void {
  gate = makeGate();
  fanGate = makeGate();
}

/** A pool member whose `pool.fan` asks its own type `n` times concurrently. */
const Worker = defineAgent({
  type: 'pool.worker',
  handles: {
    [Fan.type]: on(Fan, async ({ n, together }, ctx) => {
      if (together) await fanGate.promise;
      const leaves = Array.from({ length: n }, (_, i) =>
        ctx.ask<string>({ type: ctx.self.type }, Leaf.create({ i }), { timeout: 20_000 }),
      );
      return { asker: ctx.self.key, by: await Promise.all(leaves) };
    }),
    [Leaf.type]: on(Leaf, async (_p, ctx) => {
      await gate.promise;
      return ctx.self.key;
    }),
    [Hold.type]: on(Hold, async (_p, ctx) => {
      await gate.promise;
      return ctx.self.key;
    }),
  },
});

function counts(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

let rt: Runtime;
afterEach(async () => {
  gate?.open();
  await rt?.close();
});

describe('pool routing', () => {
  it.each([4, 2])(
    'should answer a pool-of-%i member fanning out 10 concurrent asks to its own type',
    async (size) => {
      newGate();
      rt = createRuntime();
      await rt.register(Worker, { instances: size });
      const fan = rt.ref(Worker).ask(Fan.create({ n: 10 }), { timeout: 20_000 });
      // All ten are queued before any answers: routing alone decided where each went.
      await expect.poll(() => rt.stats().busy).toBe(size);
      gate.open();
      const { asker, by } = (await fan) as { asker: string; by: string[] };
      expect(by).toHaveLength(10);
      expect(by).not.toContain(asker);
      // Least-loaded among the other members: 10 over size-1 members, as even as it gets.
      const spread = Object.values(counts(by));
      expect(spread).toHaveLength(size - 1);
      expect(Math.max(...spread) - Math.min(...spread)).toBeLessThanOrEqual(1);
    },
  );

  it('should not queue a fan-out behind a member that is itself waiting on asks', async () => {
    newGate();
    rt = createRuntime();
    await rt.register(Worker, { instances: 4 });
    // Two members fan out at once: each one's leaves must avoid the other, or both wait forever.
    const fans = [0, 1].map(() =>
      rt.ref(Worker).ask(Fan.create({ n: 10, together: true }), { timeout: 20_000 }),
    );
    await expect.poll(() => rt.stats().busy).toBe(2);
    fanGate.open();
    await expect.poll(() => rt.stats().busy).toBe(4);
    gate.open();
    // Before this, the second fan's leaves could queue behind the first fan and the first's behind the second.
    const results = (await Promise.all(fans)) as Array<{ asker: string; by: string[] }>;
    expect(new Set(results.map((r) => r.asker)).size).toBe(2);
    for (const { asker, by } of results) {
      expect(by).toHaveLength(10);
      expect(by).not.toContain(asker);
    }
  });

  it('should never pick a busy instance while another is free', async () => {
    newGate();
    rt = createRuntime();
    await rt.register(Worker, { instances: 3 });
    const held = [0, 1, 2].map(() => rt.ref(Worker).ask(Hold.create({}), { timeout: 20_000 }));
    await expect.poll(() => rt.stats().busy).toBe(3);
    gate.open();
    expect(new Set(await Promise.all(held))).toEqual(new Set(['_0', '_1', '_2']));
  });
});
