import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AgentFailedError,
  CrashError,
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type Runtime,
} from '../src/index.js';
import { Add, Counter, Crash } from './fixtures.js';

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
});

describe('supervision', () => {
  it('should answer the crashing ask with the crash and restart the instance from its initial state', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    const ref = rt.ref(Counter, 'c');
    await ref.ask(Add.create({ n: 5 }));
    const err = await ref.ask(Crash.create({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrashError);
    expect((err as CrashError).code).toBe('CRASHED');
    // Queued behind the restart backoff, then served by the fresh instance.
    expect(await ref.ask(Add.create({ n: 1 }))).toBe(1);
  });

  it('should mark the instance failed after too many crashes in the window', async () => {
    rt = createRuntime();
    await rt.register(Counter, { supervision: { maxRestarts: 2, windowMs: 60_000, backoffMs: 1 } });
    const ref = rt.ref(Counter, 'f');
    for (let i = 0; i < 3; i++) await expect(ref.ask(Crash.create({}))).rejects.toBeInstanceOf(CrashError);
    const err = (await ref.ask(Add.create({ n: 1 })).catch((e: unknown) => e)) as AgentFailedError;
    expect(err).toBeInstanceOf(AgentFailedError);
    expect(err.code).toBe('AGENT_FAILED');
    expect((err.cause as Error).message).toBe('asked to crash');
    // Other instances of the type are unaffected.
    expect(await rt.ref(Counter, 'g').ask(Add.create({ n: 2 }))).toBe(2);
  });

  it('should back off exponentially between restarts', async () => {
    rt = createRuntime();
    await rt.register(Counter, { supervision: { maxRestarts: 5, backoffMs: 20, maxBackoffMs: 1_000 } });
    const ref = rt.ref(Counter, 'b');
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await ref.ask(Crash.create({})).catch(() => {});
      const start = performance.now();
      await ref.ask(Add.create({ n: 1 }));
      waits.push(performance.now() - start);
    }
    // 20, 40, 80 ms (timers never fire early; the upper side is left to the scheduler).
    expect(waits[0]).toBeGreaterThanOrEqual(18);
    expect(waits[1]).toBeGreaterThanOrEqual(38);
    expect(waits[2]).toBeGreaterThanOrEqual(78);
  });

  it('should restart an instance whose initial state throws, then give up', async () => {
    const Touch = defineMessage('test.touch', z.object({}));
    let attempts = 0;
    const Fragile = defineAgent({
      type: 'test.fragile',
      initialState: () => {
        attempts++;
        throw new Error('no config');
      },
      handles: { [Touch.type]: on(Touch, () => 'ok') },
    });
    rt = createRuntime();
    await rt.register(Fragile, { supervision: { maxRestarts: 2, backoffMs: 1 } });
    const err = await rt
      .ref(Fragile, 'x')
      .ask(Touch.create({}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentFailedError);
    expect(attempts).toBe(3);
  });

  it('should treat a plain handler error as an answer, not a crash', async () => {
    const Fail = defineMessage('test.fail', z.object({}));
    const Steady = defineAgent({
      type: 'test.steady',
      initialState: () => ({ n: 0 }),
      handles: {
        [Fail.type]: on(Fail, (_p, ctx) => {
          ctx.setState((s: { n: number }) => ({ n: s.n + 1 }));
          throw new Error(`failure ${ctx.state.n}`);
        }),
      },
    });
    rt = createRuntime();
    await rt.register(Steady, { supervision: { maxRestarts: 0 } });
    await expect(rt.ref(Steady).ask(Fail.create({}))).rejects.toThrow('failure 1');
    await expect(rt.ref(Steady).ask(Fail.create({}))).rejects.toThrow('failure 2');
  });
});
