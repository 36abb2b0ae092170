import { CancelledError, createRuntime, TimeoutError, ValidationError } from '@troupe/core';
import { agentStep, dag, parallel, run, type Settled, StepError, step } from '@troupe/pipelines';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { InFlight, pause, slowAgent, WAIT, Work } from './support.js';

describe('parallel', () => {
  it('should never exceed maxConcurrency (measured in the agents)', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    const Slow = slowAgent('test.slow', flight);
    await runtime.register(Slow, { instances: 20 });
    const work = agentStep(runtime.ref(Slow), (ms: number) => Work.create({ ms }));
    const steps = Array.from({ length: 12 }, () => work);
    const out = await run(parallel(steps, { maxConcurrency: 3, failFast: true }), 15).result;
    expect(out).toHaveLength(12);
    expect(flight.max).toBe(3);
  });

  it('should, with failFast, abort every sibling signal and name the failed step', async () => {
    await using runtime = createRuntime();
    const flight = new InFlight();
    const signals: AbortSignal[] = [];
    const Slow = slowAgent('test.slow', flight, signals);
    await runtime.register(Slow, { instances: 10 });
    const ref = runtime.ref(Slow);
    const sleeper = agentStep(ref, () => Work.create({ ms: 10_000 }), { name: 'sleeper' });
    const fnSignals: AbortSignal[] = [];
    const waiter = step(
      (_: number, ctx) => {
        fnSignals.push(ctx.signal);
        return new Promise<number>(() => {});
      },
      { name: 'waiter' },
    );
    const boom = agentStep(ref, () => Work.create({ ms: 20, fail: 'disk full' }), { name: 'boom' });
    const handle = run(parallel([sleeper, sleeper, waiter, boom, sleeper], { failFast: true }), 0);
    const error = await handle.result.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StepError);
    expect(error).toMatchObject({ step: 'boom', index: 3, code: 'STEP_FAILED' });
    expect((error as Error).message).toMatch(/parallel step #3 'boom' failed: disk full/);
    expect(signals).toHaveLength(4);
    // The sleepers' handler signals (on the agents' side of the ask) abort too; boom's ended by itself.
    await vi.waitFor(() => expect(signals.filter((s) => s.aborted).length).toBe(3), WAIT);
    expect(fnSignals[0]?.aborted).toBe(true);
    expect(fnSignals[0]?.reason).toBeInstanceOf(CancelledError);
    await vi.waitFor(() => expect(flight.now).toBe(0), WAIT);
  });

  it('should, without failFast, collect every outcome as settled results', async () => {
    const ok = (n: number) => n * 2;
    const bad = async (_: number): Promise<string> => {
      throw new Error('nope');
    };
    const handle = run(parallel([ok, bad, ok]), 5);
    const out = await handle.result;
    expectTypeOf(out).toEqualTypeOf<[Settled<number>, Settled<string>, Settled<number>]>();
    expect(out[0]).toEqual({ status: 'fulfilled', value: 10 });
    expect(out[1].status).toBe('rejected');
    expect(out[1].status === 'rejected' && out[1].reason.message).toBe('nope');
    expect(out[2]).toEqual({ status: 'fulfilled', value: 10 });
  });

  it('should time out: failFast rejects, collecting marks unfinished steps', async () => {
    const hang = (_: number, ctx: { signal: AbortSignal }) => pause(10_000, ctx.signal).then(() => 'late');
    const quick = (n: number) => `quick ${n}`;
    const failFast = await run(parallel([quick, hang], { failFast: true, timeout: 30 }), 1).result.catch(
      (e: unknown) => e,
    );
    expect(failFast).toBeInstanceOf(TimeoutError);
    const settled = await run(parallel([quick, hang], { timeout: 30 }), 1).result;
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'quick 1' });
    expect(settled[1].status === 'rejected' && settled[1].reason).toBeInstanceOf(TimeoutError);
  });

  it('should cancel through its own signal option', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const hang = (_: number, ctx: { signal: AbortSignal }) => {
      seen.push(ctx.signal);
      return pause(10_000, ctx.signal);
    };
    const handle = run(parallel([hang, hang], { signal: controller.signal }), 0);
    await vi.waitFor(() => expect(seen.length).toBe(2), WAIT);
    controller.abort(new Error('stop'));
    await expect(handle.result).rejects.toBeInstanceOf(CancelledError);
    expect(seen.every((s) => s.aborted)).toBe(true);
  });

  it('should refuse a maxConcurrency that is not an integer >= 1 or Infinity, in parallel and dag', async () => {
    const steps = [(n: number) => n];
    for (const bad of [2.5, 0, -3, Number.NaN]) {
      expect(() => parallel(steps, { maxConcurrency: bad }), String(bad)).toThrow(ValidationError);
      expect(
        () => dag({ a: steps[0] as (n: number) => number }, { maxConcurrency: bad }),
        String(bad),
      ).toThrow(ValidationError);
    }
    expect(() => parallel(steps, { maxConcurrency: 2.5 })).toThrow(/maxConcurrency must be an integer >= 1/);
    // 2.5 once ran 3 at once; now it is refused, and an integer limit holds exactly.
    const flight = new InFlight();
    const work = async () => {
      flight.enter();
      await pause(5);
      flight.leave();
    };
    await run(parallel(Array(9).fill(work), { maxConcurrency: 2 }), 0).result;
    expect(flight.max).toBe(2);
    expect(() => parallel(steps, { maxConcurrency: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it('should type outputs in step order with failFast', async () => {
    const p = parallel([(n: number) => n + 1, async (n: number) => String(n)], { failFast: true });
    const out = await run(p, 1).result;
    expectTypeOf(out).toEqualTypeOf<[number, string]>();
    expect(out).toEqual([2, '1']);
  });
});
