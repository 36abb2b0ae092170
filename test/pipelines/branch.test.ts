import { createRuntime, ValidationError } from '@troupe/core';
import { agentStep, ifElse, loop, run, sequential, switchCase } from '@troupe/pipelines';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Adder, Inc } from './support.js';

describe('ifElse, switchCase, loop', () => {
  it('should take the branch the condition picks, or pass the input through', async () => {
    const big = ifElse(
      (n: number) => n > 10,
      (n) => `big ${n}`,
      (n) => n * 2,
    );
    expectTypeOf(await run(big, 1).result).toEqualTypeOf<string | number>();
    expect(await run(big, 11).result).toBe('big 11');
    expect(await run(big, 3).result).toBe(6);
    const onlyThen = ifElse(
      async (s: string) => s.startsWith('!'),
      (s) => s.slice(1),
    );
    expect(await run(onlyThen, '!x').result).toBe('x');
    expect(await run(onlyThen, 'y').result).toBe('y');
  });

  it('should run the selected case, the default, or refuse an unknown case', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder);
    const route = switchCase((t: { kind: string; n: number }) => t.kind, {
      add: sequential([
        (t: { kind: string; n: number }) => t.n,
        agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n })),
      ]),
      neg: (t) => -t.n,
    });
    expect(await run(route, { kind: 'add', n: 1 }).result).toBe(2);
    expect(await run(route, { kind: 'neg', n: 1 }).result).toBe(-1);
    await expect(run(route, { kind: 'other', n: 1 }).result).rejects.toBeInstanceOf(ValidationError);
    const withDefault = switchCase((s: string) => s, { a: () => 'A' }, { default: () => 'other' });
    expect(await run(withDefault, 'zzz').result).toBe('other');
  });

  it('should loop while / until a condition holds, bounded by maxIterations', async () => {
    await using runtime = createRuntime();
    await runtime.register(Adder);
    const inc = agentStep(runtime.ref(Adder), (n: number) => Inc.create({ n }));
    expect(await run(loop(inc, { while: (n) => n < 5 }), 0).result).toBe(5);
    expect(await run(loop(inc, { until: (n) => n >= 3 }), 0).result).toBe(3);
    expect(await run(loop(inc, { while: (n) => n < 0 }), 7).result).toBe(7);
    const capped = run(loop(inc, { until: () => false, maxIterations: 4 }), 0);
    const events = lastValueFrom(capped.progress$.pipe(toArray()));
    expect(await capped.result).toBe(4);
    const logs = (await events).filter((e) => e.kind === 'task.log');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warn' });
    const iterations = (await events)
      .filter((e) => e.kind === 'task.created')
      .map((e) => (e.kind === 'task.created' ? e.name : ''));
    expect(iterations).toEqual(['test.adder #1', 'test.adder #2', 'test.adder #3', 'test.adder #4']);
  });
});
