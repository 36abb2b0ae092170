/**
 * Input and output types of the combinators, checked by `pnpm typecheck` (this file is in the
 * root tsconfig) and run as plain tests: unions stay whole, optional inputs stay optional, and
 * agent steps mix with functions in parallel, dag, ifElse and switchCase.
 */
import { createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import {
  agentStep,
  dag,
  ifElse,
  type ParallelInput,
  parallel,
  run,
  type Step,
  sequential,
  switchCase,
} from '@troupe/pipelines';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

const Shout = defineMessage('types.shout', z.object({ text: z.string() }));
const Shouter = defineAgent({
  type: 'types.shouter',
  handles: { [Shout.type]: on(Shout, ({ text }) => text.toUpperCase()) },
});

/** A step whose input is a union: it must accept both members, not their (empty) intersection. */
const describeIt = (x: string | null) => (x === null ? 'nothing' : `"${x}"`);
/** A step with an optional input. */
const greet = (name?: string) => `hi ${name ?? 'you'}`;

type InputOfStep<S> = S extends Step<infer I, unknown> ? I : never;

describe('combinator types', () => {
  it('should keep a union input whole in parallel (string and null both accepted)', async () => {
    const both = parallel([describeIt, describeIt], { failFast: true });
    expectTypeOf<InputOfStep<typeof both>>().toEqualTypeOf<string | null>();
    expectTypeOf<ParallelInput<[typeof describeIt, (x: string | number) => number]>>().toEqualTypeOf<
      (string | null) & (string | number)
    >();
    expect(await run(both, 'a').result).toEqual(['"a"', '"a"']);
    expect(await run(both, null).result).toEqual(['nothing', 'nothing']);
    // As sequential does.
    const seq = sequential([describeIt]);
    expectTypeOf<InputOfStep<typeof seq>>().toEqualTypeOf<string | null>();
  });

  it('should intersect the inputs of different steps, and keep optional inputs optional', async () => {
    const needsName = parallel([greet, (name: string) => name.length], { failFast: true });
    expectTypeOf<InputOfStep<typeof needsName>>().toEqualTypeOf<string>();
    const optional = parallel([greet, greet], { failFast: true });
    expectTypeOf<InputOfStep<typeof optional>>().toEqualTypeOf<string | undefined>();
    expect(await run(optional, undefined).result).toEqual(['hi you', 'hi you']);
    const objects = parallel([(a: { a: number }) => a.a, (b: { b?: string }) => b.b], { failFast: true });
    expectTypeOf<InputOfStep<typeof objects>>().toEqualTypeOf<{ a: number } & { b?: string }>();
    expectTypeOf(await run(objects, { a: 1 }).result).toEqualTypeOf<[number, string | undefined]>();
  });

  it('should mix agent steps and functions in parallel, dag, ifElse and switchCase', async () => {
    await using runtime = createRuntime();
    await runtime.register(Shouter);
    const shout = agentStep(runtime.ref(Shouter), (text: string) => Shout.create({ text }));
    expectTypeOf(shout).toEqualTypeOf<Step<string, string>>();

    const fan = parallel([shout, (s: string | null) => s?.length ?? 0], { failFast: true });
    expectTypeOf<InputOfStep<typeof fan>>().toEqualTypeOf<string>();
    expectTypeOf(await run(fan, 'ab').result).toEqualTypeOf<[string, number]>();

    const graph = dag({
      loud: shout,
      size: describeIt,
      both: {
        deps: ['loud', 'size'],
        step: ({ loud, size }: { loud: string; size: string }) => `${loud} ${size}`,
      },
    });
    expectTypeOf<InputOfStep<typeof graph>>().toEqualTypeOf<string>();
    const out = await run(graph, 'hey').result;
    expectTypeOf(out).toEqualTypeOf<{ loud: string; size: string; both: string }>();
    expect(out.both).toBe('HEY "hey"');
    const unions = dag({ a: describeIt, b: describeIt });
    expectTypeOf<InputOfStep<typeof unions>>().toEqualTypeOf<string | null>();
    expect(await run(unions, null).result).toEqual({ a: 'nothing', b: 'nothing' });

    const maybe = ifElse(
      (x: string | null) => x !== null,
      describeIt,
      (x: string | null) => x === null,
    );
    expectTypeOf(maybe).toEqualTypeOf<Step<string | null, string | boolean>>();
    expect(await run(maybe, null).result).toBe(true);
    const passThrough = ifElse((x: string | undefined) => x === undefined, greet);
    expectTypeOf(passThrough).toEqualTypeOf<Step<string | undefined, string | undefined>>();
    const agentBranch = ifElse(
      (x: string) => x.length > 2,
      shout,
      (x: string) => x.length,
    );
    expectTypeOf(agentBranch).toEqualTypeOf<Step<string, string | number>>();
    expect(await run(agentBranch, 'abc').result).toBe('ABC');

    const route = switchCase((x: string | null) => (x === null ? 'none' : 'some'), {
      none: (_x: string | null) => 0,
      some: describeIt,
    });
    expectTypeOf(route).toEqualTypeOf<Step<string | null, number | string>>();
    expect(await run(route, null).result).toBe(0);
    const mixed = switchCase((x: string) => (x.startsWith('!') ? 'loud' : 'quiet'), {
      loud: shout,
      quiet: greet,
    });
    expectTypeOf(mixed).toEqualTypeOf<Step<string, string>>();
    expect(await run(mixed, '!yo').result).toBe('!YO');
  });

  it('should refuse inputs that some step does not accept', () => {
    const strict = parallel([describeIt, (n: number) => n], { failFast: true });
    expectTypeOf<InputOfStep<typeof strict>>().toEqualTypeOf<never>();
    // @ts-expect-error a string is not a number for the second step
    const wrong = () => run(strict, 'x');
    expect(typeof wrong).toBe('function');
  });
});
