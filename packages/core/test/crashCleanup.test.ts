import { afterEach, describe, expect, it, vi } from 'vitest';
import { assign, createMachine, fromCallback, setup, spawnChild } from 'xstate';
import { CrashError, createRuntime, defineAgent, type Runtime, reply } from '../src/index.js';

/**
 * Issue 7 §3: an errored XState actor does not stop its children. The runtime must, on a crash, a restart,
 * passivation and close. Only the children's `setInterval`/`clearInterval` are faked: each child's interval is
 * then a fake timer, so "nothing ticks after close" is `vi.getTimerCount() === 0`, and advancing the fake clock
 * proves it, with no wall-clock sleep. The runtime's own timers (restart backoff) stay real.
 */

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.useRealTimers();
});

interface Counters {
  started: Record<string, number>;
  cleaned: Record<string, number>;
  ticks: number;
}

function ticker(name: string, counters: Counters) {
  return fromCallback(() => {
    counters.started[name] = (counters.started[name] ?? 0) + 1;
    const timer = setInterval(() => {
      counters.ticks++;
    }, 10);
    return () => {
      counters.cleaned[name] = (counters.cleaned[name] ?? 0) + 1;
      clearInterval(timer);
    };
  });
}

type Ev =
  | { type: 'crashy.boom'; payload: Record<string, never> }
  | { type: 'crashy.ping'; payload: Record<string, never> }
  | { type: 'crashy.sleep'; payload: Record<string, never> };

/** Invokes a ticker, spawns another, and invokes a child machine that invokes a third (a grandchild). */
function crashyAgent(type: string, counters: Counters) {
  const inner = createMachine({
    invoke: { src: ticker('grandchild', counters) },
  });
  const machine = setup({
    types: { context: {} as { pings: number }, events: {} as Ev },
    actors: { invoked: ticker('invoked', counters), spawned: ticker('spawned', counters), inner },
  }).createMachine({
    context: { pings: 0 },
    initial: 'working',
    entry: spawnChild('spawned'),
    states: {
      working: {
        invoke: [{ src: 'invoked' }, { src: 'inner' }],
        on: {
          'crashy.boom': {
            actions: () => {
              throw new Error('action blew up');
            },
          },
          'crashy.ping': {
            actions: [
              assign({ pings: ({ context }) => context.pings + 1 }),
              reply(({ context }) => context.pings),
            ],
          },
          'crashy.sleep': { target: 'asleep' },
        },
      },
      asleep: {
        on: { 'crashy.ping': { actions: reply(() => -1) } },
      },
    },
  });
  return defineAgent({ type, machine });
}

const ping = { type: 'crashy.ping', payload: {} } as const;
const boom = { type: 'crashy.boom', payload: {} } as const;
const names = ['invoked', 'spawned', 'grandchild'];

function fresh(): Counters {
  return { started: {}, cleaned: {}, ticks: 0 };
}

/** Each kind of child was started `started` times and cleaned up `cleaned` times. */
function expectChildren(counters: Counters, started: number, cleaned: number): void {
  for (const name of names) {
    expect(counters.started[name], `${name} started`).toBe(started);
    expect(counters.cleaned[name] ?? 0, `${name} cleaned up`).toBe(cleaned);
  }
}

function expectAllCleaned(counters: Counters, starts: number): void {
  expectChildren(counters, starts, starts);
}

/** After the runtime let go of everything, no fake interval is left and advancing the clock ticks nothing. */
function expectNothingTicks(counters: Counters): void {
  expect(vi.getTimerCount()).toBe(0);
  const ticks = counters.ticks;
  vi.advanceTimersByTime(10_000);
  expect(counters.ticks).toBe(ticks);
}

describe('a crashing machine agent leaves nothing running', () => {
  it('should stop every invoked and spawned child on each crash, restart and close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const counters = fresh();
    const Crashy = crashyAgent('test.crashy', counters);
    rt = createRuntime();
    await rt.register(Crashy, { supervision: { maxRestarts: 3, backoffMs: 1 } });
    const ref = rt.ref(Crashy, 'c');
    expect(await ref.ask(ping)).toBe(1);
    expectChildren(counters, 1, 0);
    vi.advanceTimersByTime(25);
    expect(counters.ticks).toBe(6); // three children tick every 10 ms: the fake clock is in charge
    for (let crash = 1; crash <= 3; crash++) {
      await expect(ref.ask(boom)).rejects.toBeInstanceOf(CrashError);
      // The crash itself stopped the dead actor's children, before any restart.
      expectAllCleaned(counters, crash);
      expect(vi.getTimerCount()).toBe(0);
      // The restarted actor (a fresh context) starts its own.
      expect(await ref.ask(ping)).toBe(1);
      expectChildren(counters, crash + 1, crash);
      expect(vi.getTimerCount()).toBe(3);
    }
    await rt.close();
    rt = undefined;
    expectAllCleaned(counters, 4);
    expectNothingTicks(counters);
  });

  it('should stop the children of an instance that failed for good', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const counters = fresh();
    const Crashy = crashyAgent('test.crashy.failed', counters);
    rt = createRuntime();
    await rt.register(Crashy, { supervision: { maxRestarts: 1, backoffMs: 1 } });
    const ref = rt.ref(Crashy, 'f');
    await expect(ref.ask(boom)).rejects.toBeInstanceOf(CrashError);
    await expect(ref.ask(boom)).rejects.toBeInstanceOf(CrashError);
    await expect(ref.ask(ping)).rejects.toMatchObject({ code: 'AGENT_FAILED' });
    expectAllCleaned(counters, 2);
    expectNothingTicks(counters);
  });

  it('should stop the children when an idle instance is passivated', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const counters = fresh();
    const Crashy = crashyAgent('test.crashy.passive', counters);
    rt = createRuntime();
    await rt.register(Crashy, { passivateAfterMs: 1 });
    await rt.ref(Crashy, 'p').ask(ping);
    expect(rt.stats().instances).toBe(1);
    // The sweeper is a (fake) interval too: drive it until the instance is gone.
    await vi.waitFor(() => {
      vi.advanceTimersByTime(50);
      expect(rt?.stats().instances).toBe(0);
    });
    expectAllCleaned(counters, 1);
  });

  it('should stop the children of a machine whose state no longer invokes them, and the rest on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const counters = fresh();
    const Crashy = crashyAgent('test.crashy.sleep', counters);
    rt = createRuntime();
    await rt.register(Crashy);
    const ref = rt.ref(Crashy, 's');
    await ref.ask({ type: 'crashy.sleep', payload: {} });
    // Leaving the state stops what it invoked (XState's own doing); the spawned child lives on.
    expect(counters.cleaned).toEqual({ invoked: 1, grandchild: 1 });
    expect(await ref.ask(ping)).toBe(-1);
    await rt.close();
    rt = undefined;
    expectAllCleaned(counters, 1);
    expectNothingTicks(counters);
  });
});
