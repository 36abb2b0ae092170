/**
 * A 10,000-way fan-out whose steps all hang off one shared AbortSignal must
 * add O(1) listeners to it (no MaxListenersExceededWarning) and leak nothing
 * over 100 runs — a known bug in a peer, where each step added its own listener.
 */
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRuntime, defineAgent, on } from '@troupe/core';
import { agentStep, parallel, run, sleep, step } from '@troupe/pipelines';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Inc, WAIT } from './support.js';

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

  it('should keep 10,000 asks in flight on one signal with one listener on it, and no MaxListenersExceededWarning', async () => {
    await using runtime = createRuntime();
    // A handler that holds every ask until released: with 8 instances, 8 run and the other 9,992
    // asks wait in mailboxes, all of them linked to the fan-out's shared signal at once.
    let release: () => void = () => {};
    let held = 0;
    const Holder = defineAgent({
      type: 'test.holder',
      handles: {
        [Inc.type]: on(Inc, async ({ n }) => {
          held += 1;
          await gate;
          return n + 1;
        }),
      },
    });
    let gate = Promise.resolve();
    await runtime.register(Holder, { instances: 8 });
    const add = agentStep(runtime.ref(Holder), (n: number) => Inc.create({ n }));
    let stepSignal: AbortSignal | undefined;
    const spy = (n: number, ctx: { signal: AbortSignal }) => {
      stepSignal = ctx.signal; // the signal every step of the fan-out (and so every ask) hangs off
      return n + 1;
    };
    const shared = new AbortController();
    const fanOut = parallel([spy, ...Array.from({ length: WIDTH }, () => add)], {
      failFast: true,
      signal: shared.signal,
    });
    for (let r = 0; r < 3; r++) {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = 0;
      const handle = run(fanOut, r, { signal: shared.signal });
      await vi.waitFor(() => expect(held).toBe(8), WAIT);
      // 10,000 asks in flight: one listener each would be 10,000 here.
      expect(getEventListeners(stepSignal as AbortSignal, 'abort').length).toBeLessThanOrEqual(1);
      expect(getEventListeners(shared.signal, 'abort').length).toBeLessThanOrEqual(1);
      release();
      const out = await handle.result;
      expect(out).toHaveLength(WIDTH + 1);
      expect(out[WIDTH]).toBe(r + 1);
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
