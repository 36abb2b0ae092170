/**
 * Value semantics in process: every receiver gets its own copy, as over NATS
 * (test/nats/values.test.ts runs the same programs there and expects the same results).
 */
import { createRuntime, deepFreeze, defineAgent, defineMessage, on, ValidationError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EXPECTED_FANOUT,
  EXPECTED_HUB,
  fanOutScenario,
  hubScenario,
  withoutHubIds,
} from './valueScenarios.js';

describe('value semantics in process', () => {
  it('should keep an observer’s and the asker’s changes to themselves in a MsgHub', async () => {
    await using runtime = createRuntime();
    const out = await hubScenario({ host: runtime, client: runtime });
    expect(withoutHubIds(out)).toEqual(EXPECTED_HUB);
  });

  it('should give each fan-out branch its own copy of the input (parallel, dag, TaskGroup)', async () => {
    await using runtime = createRuntime();
    const out = await fanOutScenario({ host: runtime, client: runtime });
    expect(out).toEqual(EXPECTED_FANOUT);
  });

  it('should copy a told payload when it is sent, and share frozen payloads and replies', async () => {
    const Note = defineMessage('values.note', z.object({ items: z.unknown() }));
    const Frozen = defineMessage('values.frozen', z.object({ items: z.array(z.string()) }), {
      immutable: true,
    });
    const seen: unknown[] = [];
    const table = deepFreeze({ rows: [1, 2, 3] });
    const Keeper = defineAgent({
      type: 'values.keeper',
      handles: {
        [Note.type]: on(Note, ({ items }) => {
          seen.push(items);
        }),
        [Frozen.type]: on(Frozen, (payload) => {
          seen.push(payload);
          return table;
        }),
      },
    });
    await using runtime = createRuntime();
    await runtime.register(Keeper);
    const keeper = runtime.ref(Keeper);
    const items = ['a'];
    await keeper.tell(Note.create({ items }));
    items.push('late'); // after the tell: the receiver's copy was taken when it was sent
    const frozen = Frozen.create({ items: ['f'] });
    expect(Object.isFrozen(frozen.payload.items)).toBe(true);
    expect(await keeper.ask(frozen)).toBe(table); // a frozen reply is shared, not copied
    expect(seen).toEqual([['a'], { items: ['f'] }]);
    expect(seen[1]).toBe(frozen.payload); // declared immutable: shared, not copied
    expect(() => (seen[1] as { items: string[] }).items.push('x')).toThrow(TypeError);
  });

  it('should refuse a cyclic payload with a ValidationError, as NATS could not carry it', async () => {
    const Any = defineMessage('values.any', z.object({ value: z.unknown() }));
    const Echo = defineAgent({ type: 'values.echo', handles: { [Any.type]: on(Any, ({ value }) => value) } });
    await using runtime = createRuntime();
    await runtime.register(Echo);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const err = await runtime
      .ref(Echo)
      .ask(Any.create({ value: cyclic }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/'values\.any' payload is cyclic/);
    // Dates, maps and sets arrive as copies of themselves.
    const rich = { when: new Date(5), tags: new Set(['a']), byKey: new Map([['k', [1]]]) };
    const back = (await runtime.ref(Echo).ask(Any.create({ value: rich }))) as typeof rich;
    expect(back).toEqual(rich);
    expect(back.when).not.toBe(rich.when);
    expect(back.byKey.get('k')).not.toBe(rich.byKey.get('k'));
  });
});
