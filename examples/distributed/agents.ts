/**
 * Agents a worker hosts: `troupe-worker --agents examples/distributed/agents.ts`.
 * Every export with `kind: 'agent'` is served.
 */
import { defineAgent, defineMessage, on } from '@troupe/core';
import { z } from 'zod';

export const Greet = defineMessage('greet.say', z.object({ name: z.string() }));
export const Tally = defineMessage('tally.add', z.object({ n: z.number().int() }));

/** Stateless: un-keyed asks are load-balanced over every worker hosting it. */
export const Greeter = defineAgent({
  type: 'greeter',
  handles: { [Greet.type]: on(Greet, ({ name }) => ({ text: `hello, ${name}`, pid: process.pid })) },
});

/** Stateful: each key lives on exactly one worker, whichever process asks. */
export const Tallier = defineAgent({
  type: 'tallier',
  initialState: () => ({ total: 0 }),
  handles: {
    [Tally.type]: on(Tally, ({ n }, ctx) => {
      ctx.setState((s: { total: number }) => ({ total: s.total + n }));
      return { total: ctx.state.total, pid: process.pid };
    }),
  },
});
