import { CycleError, createRuntime, trackProgress, ValidationError } from '@troupe/core';
import { agentStep, dag, run, StepError } from '@troupe/pipelines';
import { lastValueFrom } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Adder, Inc, InFlight, pause } from './support.js';

describe('dag', () => {
  it('should start a node as soon as its own dependencies finish (no lock-step rounds)', async () => {
    const log: string[] = [];
    const at = (name: string, ms: number) => async (_: unknown, ctx: { signal: AbortSignal }) => {
      log.push(`start ${name}`);
      await pause(ms, ctx.signal);
      log.push(`end ${name}`);
      return name;
    };
    // slow → afterSlow is one branch; fast → afterFast → afterAfterFast is another.
    const graph = dag({
      slow: at('slow', 300),
      fast: at('fast', 5),
      afterSlow: { deps: ['slow'], step: at('afterSlow', 5) },
      afterFast: { deps: ['fast'], step: at('afterFast', 5) },
      afterAfterFast: { deps: ['afterFast'], step: at('afterAfterFast', 5) },
    });
    const out = await run(graph, null).result;
    expect(out).toEqual({
      slow: 'slow',
      fast: 'fast',
      afterSlow: 'afterSlow',
      afterFast: 'afterFast',
      afterAfterFast: 'afterAfterFast',
    });
    // The unrelated branch ran to its end while the slow node was still working.
    expect(log.indexOf('end afterAfterFast')).toBeLessThan(log.indexOf('end slow'));
    expect(log.indexOf('start afterSlow')).toBeGreaterThan(log.indexOf('end slow'));
  });

  it("should pass a node its dependencies' outputs, typed", async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder);
    const add = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }));
    const graph = dag({
      a: add,
      b: (n: number) => n * 10,
      sum: { deps: ['a', 'b'], step: ({ a, b }: { a: number; b: number }) => `${a}+${b}=${a + b}` },
    });
    const out = await run(graph, 1).result;
    expectTypeOf(out.sum).toEqualTypeOf<string>();
    expectTypeOf(out.a).toEqualTypeOf<number>();
    expect(out).toEqual({ a: 2, b: 10, sum: '2+10=12' });
  });

  it('should refuse a cycle or a missing dependency before anything runs', () => {
    let ran = false;
    const mark = () => {
      ran = true;
      return 0;
    };
    expect(() =>
      dag({ a: { deps: ['c'], step: mark }, b: { deps: ['a'], step: mark }, c: { deps: ['b'], step: mark } }),
    ).toThrow(CycleError);
    expect(() => dag({ a: { deps: ['b'], step: mark }, b: { deps: ['a'], step: mark } })).toThrow(
      /dependency cycle a → b → a/,
    );
    expect(() => dag({ a: { deps: ['a'], step: mark } })).toThrow(CycleError);
    expect(() => dag({ a: mark, b: { deps: ['nope'], step: mark } })).toThrow(ValidationError);
    expect(() => dag({ a: mark, b: { deps: ['nope'], step: mark } })).toThrow(/'b' depends on 'nope'/);
    expect(ran).toBe(false);
  });

  it('should, with skip-dependents, skip the failed node’s descendants and finish the rest', async () => {
    const ok = (name: string) => () => name;
    const graph = dag(
      {
        root: ok('root'),
        broken: {
          deps: ['root'],
          step: () => {
            throw new Error('broken');
          },
        },
        child: { deps: ['broken'], step: ok('child') },
        grandchild: { deps: ['child', 'side'], step: ok('grandchild') },
        side: { deps: ['root'], step: ok('side') },
        independent: ok('independent'),
      },
      { onFailure: 'skip-dependents' },
    );
    const handle = run(graph, null);
    const progress = lastValueFrom(trackProgress(handle.progress$));
    const out = await handle.result;
    expect(out.root).toEqual({ status: 'completed', value: 'root' });
    expect(out.broken).toMatchObject({ status: 'failed', error: { message: 'broken' } });
    expect(out.child).toEqual({ status: 'skipped', reason: "dependency 'broken' failed" });
    expect(out.grandchild).toEqual({ status: 'skipped', reason: "dependency 'broken' failed" });
    expect(out.side).toEqual({ status: 'completed', value: 'side' });
    expect(out.independent).toEqual({ status: 'completed', value: 'independent' });
    const nodes = (await progress).subtasks[0]?.subtasks ?? [];
    expect(nodes.map((n) => n.status)).toEqual([
      'completed',
      'failed',
      'cancelled',
      'cancelled',
      'completed',
      'completed',
    ]);
  });

  it('should, fail-fast, reject with a StepError naming the node and cancel the running ones', async () => {
    const signals: AbortSignal[] = [];
    const graph = dag({
      long: (_: null, ctx) => {
        signals.push(ctx.signal);
        return pause(10_000, ctx.signal);
      },
      bad: async () => {
        await pause(5);
        throw new Error('bad node');
      },
      after: { deps: ['bad'], step: () => 'never' },
    });
    const error = await run(graph, null).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(error).toMatchObject({ step: 'bad' });
    expect(signals[0]?.aborted).toBe(true);
  });

  it('should respect maxConcurrency', async () => {
    const flight = new InFlight();
    const work = async () => {
      flight.enter();
      await pause(10);
      flight.leave();
      return 1;
    };
    const nodes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i}`, work]));
    await run(dag(nodes, { maxConcurrency: 3 }), null).result;
    expect(flight.max).toBe(3);
  });
});
