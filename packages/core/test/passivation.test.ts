import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineAgent, defineMessage, MemoryStore, on, type Runtime } from '../src/index.js';
import { Add, Counter, gate } from './fixtures.js';

let rt: Runtime;
afterEach(async () => {
  vi.useRealTimers();
  await rt?.close();
});

describe('activation and passivation', () => {
  it('should activate instances on first message', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    expect(rt.stats().instances).toBe(0);
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => rt.ref(Counter, `k${i}`).ask(Add.create({ n: i }))),
    );
    expect(rt.stats().instances).toBe(500);
  });

  it('should passivate idle instances and reload their state from the store', async () => {
    const store = new MemoryStore();
    rt = createRuntime({ store, namespace: 'passive' });
    await rt.register(Counter, { passivateAfterMs: 60 });
    await rt.ref(Counter, 'p').ask(Add.create({ n: 41 }));
    await vi.waitFor(() => expect(rt.stats().instances).toBe(0), { timeout: 5_000 });
    expect(await store.keys('agents/passive/test.counter/')).toEqual(['agents/passive/test.counter/p']);
    expect(await rt.ref(Counter, 'p').ask(Add.create({ n: 1 }))).toBe(42);
  });

  it('should save state on close so a new runtime on the same store continues', async () => {
    const store = new MemoryStore();
    rt = createRuntime({ store });
    await rt.register(Counter, { passivateAfterMs: 60_000 });
    await rt.ref(Counter, 'durable').ask(Add.create({ n: 7 }));
    await rt.close();
    rt = createRuntime({ store });
    await rt.register(Counter, { passivateAfterMs: 60_000 });
    expect(await rt.ref(Counter, 'durable').ask(Add.create({ n: 1 }))).toBe(8);
  });

  it('should not passivate an instance with work queued, and keep what the queued work did', async () => {
    // Fake interval and clock: the sweeper runs as often as the test says, far past the idle limit.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const Hold = defineMessage('test.hold', z.object({}));
    const held = gate();
    const started = gate();
    const Blocking = defineAgent({
      type: 'test.blocking',
      initialState: () => ({ total: 0 }),
      handles: {
        [Hold.type]: on(Hold, async () => {
          started.open();
          await held.promise;
          return 'held';
        }),
        [Add.type]: on(Add, ({ n }, ctx) => {
          ctx.setState((s: { total: number }) => ({ total: s.total + n }));
          return ctx.state.total;
        }),
      },
    });
    const store = new MemoryStore();
    rt = createRuntime({ store, namespace: 'queued' });
    await rt.register(Blocking, { passivateAfterMs: 50 });
    const ref = rt.ref(Blocking, 'busy');
    const holding = ref.ask(Hold.create({}), { timeout: 120_000 });
    const adds = [1, 2, 3].map((n) => ref.ask(Add.create({ n }), { timeout: 120_000 }));
    await started.promise;
    // A handler blocked and three messages queued behind it, over 200 sweeps and 10 s past the idle limit.
    vi.advanceTimersByTime(10_000);
    expect(rt.stats().instances).toBe(1);
    expect(await store.keys('agents/queued/')).toEqual([]);
    held.open();
    expect(await holding).toBe('held');
    expect(await Promise.all(adds)).toEqual([1, 3, 6]);
    // Idle now: the next sweeps passivate it, with the queued work's state saved.
    vi.advanceTimersByTime(100);
    expect(rt.stats().instances).toBe(0);
    await vi.waitFor(async () =>
      expect(await store.get('agents/queued/test.blocking/busy')).toEqual({ state: { total: 6 } }),
    );
    expect(await ref.ask(Add.create({ n: 4 }))).toBe(10);
  });
});
