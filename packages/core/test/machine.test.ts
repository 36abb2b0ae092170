import { afterEach, describe, expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { createRuntime, defineAgent, fail, type Runtime, reply } from '../src/index.js';

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
});

type Ev =
  | { type: 'counter.inc'; payload: { by: number } }
  | { type: 'counter.get'; payload: Record<string, never> }
  | { type: 'counter.slowDouble'; payload: Record<string, never> }
  | { type: 'counter.reject'; payload: { why: string } }
  | { type: 'counter.explode'; payload: Record<string, never> };

const machine = setup({
  types: { context: {} as { count: number }, events: {} as Ev },
  actors: {
    double: fromPromise(async ({ input }: { input: number }) => {
      await new Promise((r) => setTimeout(r, 20));
      return input * 2;
    }),
  },
}).createMachine({
  context: { count: 0 },
  initial: 'idle',
  states: {
    idle: {
      on: {
        'counter.inc': {
          actions: assign({ count: ({ context, event }) => context.count + event.payload.by }),
        },
        'counter.get': { actions: reply(({ context }) => context.count) },
        'counter.slowDouble': { target: 'doubling' },
        'counter.reject': { actions: fail(({ event }) => new Error(`rejected: ${event.payload.why}`)) },
        'counter.explode': {
          actions: () => {
            throw new Error('machine blew up');
          },
        },
      },
    },
    doubling: {
      tags: ['busy'],
      invoke: {
        src: 'double',
        input: ({ context }) => context.count,
        onDone: {
          target: 'idle',
          actions: [assign({ count: ({ event }) => event.output }), reply(({ event }) => event.output)],
        },
      },
    },
  },
});

const MachineCounter = defineAgent({ type: 'test.mcounter', machine });

describe('machine agents', () => {
  it('should deliver messages as events and answer through reply()', async () => {
    rt = createRuntime();
    await rt.register(MachineCounter);
    const ref = rt.ref(MachineCounter, 'm');
    // An event handled without reply answers undefined once the machine settles.
    expect(await ref.ask({ type: 'counter.inc', payload: { by: 3 } })).toBeUndefined();
    expect(await ref.ask({ type: 'counter.get', payload: {} })).toBe(3);
  });

  it('should keep the next message waiting while the machine is in a busy-tagged state', async () => {
    rt = createRuntime();
    await rt.register(MachineCounter);
    const ref = rt.ref(MachineCounter, 'm');
    await ref.ask({ type: 'counter.inc', payload: { by: 5 } });
    const [doubled, read] = await Promise.all([
      ref.ask({ type: 'counter.slowDouble', payload: {} }),
      ref.ask({ type: 'counter.get', payload: {} }),
    ]);
    expect(doubled).toBe(10);
    expect(read).toBe(10);
  });

  it('should answer fail() with the error', async () => {
    rt = createRuntime();
    await rt.register(MachineCounter);
    await expect(
      rt.ref(MachineCounter).ask({ type: 'counter.reject', payload: { why: 'no' } }),
    ).rejects.toThrow('rejected: no');
  });

  it('should restart a machine whose action throws', async () => {
    rt = createRuntime();
    await rt.register(MachineCounter, { supervision: { backoffMs: 1 } });
    const ref = rt.ref(MachineCounter, 'x');
    await ref.ask({ type: 'counter.inc', payload: { by: 7 } });
    await expect(ref.ask({ type: 'counter.explode', payload: {} })).rejects.toThrow('machine blew up');
    expect(await ref.ask({ type: 'counter.get', payload: {} })).toBe(0);
  });
});
