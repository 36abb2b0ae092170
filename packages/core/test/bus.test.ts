import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, InProcessBus, NoRespondersError, type Runtime } from '../src/index.js';
import { Add, Counter } from './fixtures.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

describe('InProcessBus', () => {
  it('should let one runtime ask agents hosted by another, keyed asks sticking to one host', async () => {
    const bus = new InProcessBus();
    const [client, w1, w2] = [0, 1, 2].map(() => createRuntime({ transport: bus.transport() }));
    runtimes.push(client as Runtime, w1 as Runtime, w2 as Runtime);
    await w1?.register(Counter);
    await w2?.register(Counter);
    for (let i = 1; i <= 5; i++)
      expect(await client?.ref(Counter, 'sticky').ask(Add.create({ n: 1 }))).toBe(i);
    expect((w1?.stats().instances ?? 0) + (w2?.stats().instances ?? 0)).toBe(1);
  });

  it('should keep namespaces apart', async () => {
    const bus = new InProcessBus();
    const a = createRuntime({ transport: bus.transport(), namespace: 'a' });
    const b = createRuntime({ transport: bus.transport(), namespace: 'b' });
    runtimes.push(a, b);
    await a.register(Counter);
    await expect(b.ref(Counter).ask(Add.create({ n: 1 }))).rejects.toBeInstanceOf(NoRespondersError);
  });
});
