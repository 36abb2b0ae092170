import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, MemoryStore, type Runtime } from '../src/index.js';
import { Add, Counter } from './fixtures.js';

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
});

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

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
    await until(() => rt.stats().instances === 0);
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

  it('should not passivate an instance with work queued', async () => {
    rt = createRuntime();
    await rt.register(Counter, { passivateAfterMs: 50 });
    const ref = rt.ref(Counter, 'busy');
    for (let i = 0; i < 5; i++) {
      await ref.ask(Add.create({ n: 1 }));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await ref.ask(Add.create({ n: 0 }))).toBe(5);
  });
});
