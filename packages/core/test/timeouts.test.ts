import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineAgent, defineMessage, on } from '../src/index.js';

const Sleep = defineMessage('timeouts.sleep', z.object({ ms: z.number() }));
const Sleeper = defineAgent({
  type: 'timeouts.sleeper',
  handles: {
    [Sleep.type]: on(Sleep, async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `slept ${ms}`;
    }),
  },
});

describe('timeouts', () => {
  // setTimeout fires at once for any delay past 2³¹−1 ms: such timeouts must not.
  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2³¹ ms', 2 ** 31],
    ['30 days', 30 * 86_400_000],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ])('should wait for the answer with a timeout of %s', async (_name, timeout) => {
    await using runtime = createRuntime();
    await runtime.register(Sleeper);
    await expect(runtime.ref(Sleeper).ask(Sleep.create({ ms: 100 }), { timeout })).resolves.toBe('slept 100');
  });

  it('should take Infinity as the default timeout, and nest asks under it', async () => {
    await using runtime = createRuntime({ defaultTimeout: Number.POSITIVE_INFINITY });
    await runtime.register(Sleeper);
    await expect(runtime.ref(Sleeper).ask(Sleep.create({ ms: 50 }))).resolves.toBe('slept 50');
  });

  it.each([
    ['0', 0],
    ['-1', -1],
    ['NaN', Number.NaN],
    ["'100' (a string)", '100'],
  ])('should refuse a timeout of %s with ValidationError naming it', async (_name, timeout) => {
    await using runtime = createRuntime();
    await runtime.register(Sleeper);
    const ask = runtime.ref(Sleeper).ask(Sleep.create({ ms: 1 }), { timeout: timeout as number });
    await expect(ask).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('timeout must be a number of ms above 0'),
    });
  });

  it.each([
    ['an AbortController', new AbortController()],
    ['null', null],
    ['an object', {}],
  ])('should refuse a signal that is %s with ValidationError naming it', async (_name, signal) => {
    await using runtime = createRuntime();
    await runtime.register(Sleeper);
    const ask = runtime.ref(Sleeper).ask(Sleep.create({ ms: 1 }), { signal: signal as AbortSignal });
    await expect(ask).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'signal' }] });
    // A signal-shaped object (a polyfill's) is a signal.
    const shaped = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} };
    await expect(
      runtime.ref(Sleeper).ask(Sleep.create({ ms: 1 }), { signal: shaped as unknown as AbortSignal }),
    ).resolves.toBe('slept 1');
  });

  it('should refuse bad runtime and close timeouts', async () => {
    expect(() => createRuntime({ defaultTimeout: 0 })).toThrow(
      /defaultTimeout must be a number of ms above 0/,
    );
    expect(() => createRuntime({ closeTimeout: Number.NaN })).toThrow(/closeTimeout must be/);
    const runtime = createRuntime();
    await expect(runtime.close({ timeout: -5 })).rejects.toThrow(/timeout must be/);
    await runtime.close();
  });

  it('should drain in-flight asks on close({ timeout: Infinity })', async () => {
    const runtime = createRuntime();
    await runtime.register(Sleeper);
    const ask = runtime.ref(Sleeper).ask(Sleep.create({ ms: 200 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await runtime.close({ timeout: Number.POSITIVE_INFINITY });
    await expect(ask).resolves.toBe('slept 200');
  });
});
