import { z } from 'zod';
import { CrashError, defineAgent, defineMessage, on } from '../src/index.js';

export const Ping = defineMessage('test.ping', z.object({ text: z.string() }));
export const Add = defineMessage('test.add', z.object({ n: z.number().int() }));
export const Sleep = defineMessage('test.sleep', z.object({ ms: z.number(), tag: z.string().default('') }));
export const Boom = defineMessage('test.boom', z.object({ code: z.string().optional() }));
export const Crash = defineMessage('test.crash', z.object({}));

/** Records, in order, what every instance started and finished. */
export const journal: string[] = [];

export const Counter = defineAgent({
  type: 'test.counter',
  initialState: () => ({ total: 0 }),
  handles: {
    [Add.type]: on(Add, ({ n }, ctx) => {
      ctx.setState((s: { total: number }) => ({ total: s.total + n }));
      return ctx.state.total;
    }),
    [Crash.type]: on(Crash, () => {
      throw new CrashError('asked to crash');
    }),
  },
});

export const Sleeper = defineAgent({
  type: 'test.sleeper',
  handles: {
    [Sleep.type]: on(Sleep, async ({ ms, tag }, ctx) => {
      journal.push(`start ${ctx.self.key} ${tag}`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          journal.push(`aborted ${tag} ${(ctx.signal.reason as Error).name}`);
          reject(ctx.signal.reason);
        });
      });
      journal.push(`end ${ctx.self.key} ${tag}`);
      return tag;
    }),
    [Boom.type]: on(Boom, ({ code }) => {
      const err = new Error('kaboom') as Error & { code?: string };
      if (code) err.code = code;
      throw err;
    }),
  },
});

/** A promise the test opens by hand: a handler awaiting it stays blocked until then. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
