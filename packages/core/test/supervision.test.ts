import { afterEach, describe, expect, it, vi } from 'vitest';
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
  vi.useRealTimers();
  await rt?.close();
});

/** One real macrotask turn (setImmediate is not faked): every promise chain that can settle has settled. */
const afterMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

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
    // Fake clock: the restart timers fire exactly when due, so each wait is measured to the millisecond
    // (vi.waitFor would advance the fake clock itself, so plain macrotask turns are awaited instead).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    rt = createRuntime();
    await rt.register(Counter, { supervision: { maxRestarts: 5, backoffMs: 20, maxBackoffMs: 70 } });
    const ref = rt.ref(Counter, 'b');
    // 20, 40, then 80 capped at maxBackoffMs.
    for (const [i, due] of [20, 40, 70].entries()) {
      await expect(ref.ask(Crash.create({}))).rejects.toBeInstanceOf(CrashError);
      let answer: unknown;
      const next = ref.ask(Add.create({ n: 1 })).then((v) => {
        answer = v;
      });
      await vi.advanceTimersByTimeAsync(due - 1);
      await afterMicrotasks();
      expect(answer, `restart ${i + 1} before ${due} ms`).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await afterMicrotasks();
      expect(answer, `restart ${i + 1} at ${due} ms`).toBe(1);
      await next;
    }
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
