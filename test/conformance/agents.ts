/**
 * The agents the runtime conformance suite talks to. Hooks let a test see
 * inside a handler (its signal, its start) even when the handler runs behind
 * a transport, since server and client share the test process.
 */
import { defineAgent, defineMessage, on, ValidationError } from '@troupe/core';
import { z } from 'zod';

export const Ping = defineMessage('conf.ping', z.object({ text: z.string() }));
export const Shape = defineMessage('conf.shape', z.object({ n: z.number().int() }));
export const Append = defineMessage('conf.append', z.object({ item: z.number(), delayMs: z.number() }));
export const Read = defineMessage('conf.read', z.object({}));
export const Meet = defineMessage('conf.meet', z.object({ id: z.string() }));
export const Fail = defineMessage('conf.fail', z.object({ kind: z.enum(['plain', 'typed']) }));
export const Hang = defineMessage('conf.hang', z.object({ id: z.string() }));
export const Note = defineMessage('conf.note', z.object({ text: z.string() }));

/** Test hooks, reset by each test. */
export const hooks = {
  /** Called when `conf.meet` starts; resolves when the test lets it finish. */
  meet: async (_id: string): Promise<void> => {},
  /** Called with the abort reason a hanging handler saw. */
  aborted: (_id: string, _reason: unknown): void => {},
  /** Called when `conf.hang` starts. */
  hanging: (_id: string): void => {},
};

interface State {
  items: number[];
  running: number;
  maxRunning: number;
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One agent type covering every behaviour under test. */
export const Conf = defineAgent({
  type: 'conf.agent',
  initialState: (): State => ({ items: [], running: 0, maxRunning: 0, notes: [] }),
  handles: {
    [Ping.type]: on(Ping, ({ text }, ctx) => `pong:${text}:${ctx.self.key}`),
    [Shape.type]: on(Shape, ({ n }) => ({
      n,
      list: [1, 'two', { three: 3 }],
      nested: { ok: true, none: null },
      text: 'ünïcødé ✓',
    })),
    [Append.type]: on(Append, async ({ item, delayMs }, ctx) => {
      ctx.setState((s: State) => ({
        ...s,
        running: s.running + 1,
        maxRunning: Math.max(s.maxRunning, s.running + 1),
      }));
      await sleep(delayMs);
      ctx.setState((s: State) => ({ ...s, running: s.running - 1, items: [...s.items, item] }));
      return item;
    }),
    [Read.type]: on(Read, (_p, ctx) => ctx.state as State),
    [Meet.type]: on(Meet, async ({ id }) => {
      await hooks.meet(id);
      return id;
    }),
    [Fail.type]: on(Fail, ({ kind }) => {
      if (kind === 'typed') {
        throw new ValidationError('refused by the handler', {
          issues: [{ path: 'payload.kind', message: 'no' }],
        });
      }
      const root = new Error('disk on fire');
      throw Object.assign(new Error('could not write', { cause: root }), { code: 'E_WRITE' });
    }),
    [Hang.type]: on(Hang, ({ id }, ctx) => {
      hooks.hanging(id);
      return new Promise<never>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          hooks.aborted(id, ctx.signal.reason);
          reject(ctx.signal.reason);
        });
      });
    }),
    [Note.type]: on(Note, ({ text }, ctx) => {
      ctx.setState((s: State) => ({ ...s, notes: [...s.notes, text] }));
    }),
  },
});
