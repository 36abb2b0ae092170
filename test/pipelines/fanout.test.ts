/**
 * A 10,000-way fan-out whose steps all hang off one shared AbortSignal must
 * add O(1) listeners to it (no MaxListenersExceededWarning) and leak nothing
 * over 100 runs — a known bug in a peer, where each step added its own listener.
 */
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRuntime } from '@troupe/core';
import { agentStep, parallel, run, sleep, step } from '@troupe/pipelines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adder, Inc } from './support.js';

const WIDTH = 10_000;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('fan-out on one shared signal', () => {
  beforeAll(() => {
    process.on('warning', onWarning);
  });
  afterAll(() => {
    process.off('warning', onWarning);
  });

  it('should ask 10,000 agents at once under one signal without a MaxListenersExceededWarning', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder, { instances: 8 });
    const add = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }));
    const shared = new AbortController();
    const fanOut = parallel(
      Array.from({ length: WIDTH }, () => add),
      { failFast: true, signal: shared.signal },
    );
    for (let r = 0; r < 3; r++) {
      const out = await run(fanOut, r, { signal: shared.signal }).result;
      expect(out).toHaveLength(WIDTH);
      expect(out[WIDTH - 1]).toBe(r + 1);
    }
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(getEventListeners(shared.signal, 'abort').length).toBeLessThanOrEqual(1);
  });

  it('should let 10,000 steps listen on their shared signal directly (as fetch does) without a warning', async () => {
    const listening = (n: number, ctx: { signal: AbortSignal }) =>
      new Promise<number>((resolve) => {
        const onAbort = () => resolve(-1);
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        setImmediate(() => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(n);
        });
      });
    const out = await run(
      parallel(
        Array.from({ length: WIDTH }, () => listening),
        { failFast: true },
      ),
      7,
    ).result;
    expect(out[WIDTH - 1]).toBe(7);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('should leak nothing over 100 runs of a 10,000-way fan-out sharing one signal', {
    timeout: 120_000,
  }, async () => {
    const gc = collectGarbage();
    const shared = new AbortController();
    // Half the steps wait on the shared signal itself, half run under a timeout of their own.
    const waitABit = step((n: number, ctx) => sleep(0, ctx.signal).then(() => n));
    const timed = step((n: number) => n, { timeout: 60_000 });
    const fanOut = parallel(
      Array.from({ length: WIDTH }, (_, i) => (i % 2 === 0 ? waitABit : timed)),
      { maxConcurrency: 2_500, signal: shared.signal },
    );
    const heapAfter = async (runs: number) => {
      for (let r = 0; r < runs; r++) {
        const out = await run(fanOut, r, { signal: shared.signal }).result;
        expect(out[0]).toEqual({ status: 'fulfilled', value: r });
      }
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const warm = await heapAfter(10);
    const after = await heapAfter(90);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(getEventListeners(shared.signal, 'abort').length).toBeLessThanOrEqual(1);
    // One leaked listener per step would be ≥ 900,000 closures (tens of MiB); allow 24 MiB of noise.
    expect(after - warm).toBeLessThan(24 * 2 ** 20);
  });
});
