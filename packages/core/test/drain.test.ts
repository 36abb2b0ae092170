import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClosedError, createRuntime, defineAgent, defineMessage, on, type Runtime } from '../src/index.js';

const Go = defineMessage('drain.go', z.object({}));
const Late = defineMessage('drain.late', z.object({}));
const Note = defineMessage('drain.note', z.object({ text: z.string() }));

let started: () => void = () => {};
let gate: Promise<void> = Promise.resolve();
const noted: string[] = [];

/** Asks `drain.middle`, which asks `drain.back`: a chain of sub-asks made after the gate opens. */
const Front = defineAgent({
  type: 'drain.front',
  handles: {
    [Go.type]: on(Go, async (_p, ctx) => {
      started();
      await gate;
      await ctx.tell({ type: 'drain.back', key: 'log' }, Note.create({ text: 'front' }));
      const middle = await ctx.ask<string>({ type: 'drain.middle' }, Go.create({}));
      return `front(${middle})`;
    }),
  },
});

const Middle = defineAgent({
  type: 'drain.middle',
  handles: {
    [Go.type]: on(
      Go,
      async (_p, ctx) => `middle(${await ctx.ask<string>({ type: 'drain.back' }, Go.create({}))})`,
    ),
  },
});

const Back = defineAgent({
  type: 'drain.back',
  handles: {
    [Go.type]: on(Go, () => 'back'),
    [Late.type]: on(Late, () => 'late'),
    [Note.type]: on(Note, async ({ text }) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      noted.push(text);
    }),
  },
});

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
  noted.length = 0;
});

describe('close() drains', () => {
  it('should let a handler in flight ask (and tell) other agents, and answer its asker', async () => {
    rt = createRuntime({ closeTimeout: 30_000 });
    for (const def of [Front, Middle, Back]) await rt.register(def);
    let open!: () => void;
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const answer = rt.ref(Front).ask(Go.create({}), { timeout: 30_000 });
    await running;
    const closing = rt.close();
    // New work from outside is refused at once…
    await expect(rt.ref(Back).ask(Late.create({}))).rejects.toBeInstanceOf(ClosedError);
    await expect(rt.ref(Back, 'log').tell(Note.create({ text: 'outside' }))).rejects.toBeInstanceOf(
      ClosedError,
    );
    // …while the work in flight makes its asks, nested ones included, and gets real answers.
    open();
    await expect(answer).resolves.toBe('front(middle(back))');
    await closing;
    // The tell it made during the drain was handled before close() resolved.
    expect(noted).toEqual(['front']);
  });

  it('should refuse an ask from a handler whose own message has already been answered', async () => {
    rt = createRuntime();
    let later: (() => Promise<unknown>) | undefined;
    const Leaky = defineAgent({
      type: 'drain.leaky',
      handles: {
        [Go.type]: on(Go, (_p, ctx) => {
          later = () => ctx.ask({ type: 'drain.back' }, Late.create({}));
          return 'done';
        }),
      },
    });
    await rt.register(Leaky);
    await rt.register(Back);
    await expect(rt.ref(Leaky).ask(Go.create({}))).resolves.toBe('done');
    const closing = rt.close();
    await expect(later?.()).rejects.toBeInstanceOf(ClosedError);
    await closing;
  });
});
