import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type Runtime,
  ValidationError,
} from '../src/index.js';

const Hello = defineMessage('marker.hello', z.object({ name: z.string() }));
const Frozen = defineMessage('marker.frozen', z.object({ name: z.string() }), { immutable: true });
const Word = defineMessage('marker.word', z.string());

const Greeter = defineAgent({
  type: 'marker.greeter',
  handles: {
    [Hello.type]: on(Hello, (p) => `hi ${p.name}`),
    [Frozen.type]: on(Frozen, (p) => `hi ${p.name}`),
    [Word.type]: on(Word, (p) => p.length),
  },
});

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
});

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('the "already validated" marker of a created message', () => {
  it('should re-validate a payload edited after create', async () => {
    rt = createRuntime();
    await rt.register(Greeter);
    const m = Hello.create({ name: 'x' });
    (m.payload as { name: unknown }).name = 5;
    const err = await failure(() => rt.ref(Greeter, 'a').ask(m));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toContain('name');
  });

  it('should re-validate a created message spread with another payload', async () => {
    rt = createRuntime();
    await rt.register(Greeter);
    for (const def of [Hello, Frozen]) {
      const spread = { ...def.create({ name: 'x' }), payload: { name: 5 } } as unknown as ReturnType<
        typeof def.create
      >;
      const err = await failure(() => rt.ref(Greeter, 'a').ask(spread));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).message).toContain('name');
    }
    const word = { ...Word.create('ok'), payload: 5 } as unknown as ReturnType<typeof Word.create>;
    expect(await failure(() => rt.ref(Greeter, 'a').ask(word))).toBeInstanceOf(ValidationError);
  });

  it('should re-validate a payload replaced on the created message', async () => {
    rt = createRuntime();
    await rt.register(Greeter);
    const m = Frozen.create({ name: 'x' });
    (m as { payload: unknown }).payload = { name: 5 };
    expect(await failure(() => rt.ref(Greeter, 'a').ask(m))).toBeInstanceOf(ValidationError);
  });

  it('should deliver an unedited created message, mutable, immutable or primitive', async () => {
    rt = createRuntime();
    await rt.register(Greeter);
    const ref = rt.ref(Greeter, 'a');
    expect(await ref.ask(Hello.create({ name: 'x' }))).toBe('hi x');
    expect(await ref.ask(Frozen.create({ name: 'y' }))).toBe('hi y');
    expect(await ref.ask(Word.create('abc'))).toBe(3);
  });
});
