import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CancelledError,
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type ProgressEvent,
  TimeoutError,
} from '../src/index.js';

const Forever = defineMessage('hang.forever', z.object({}));
const Count = defineMessage('hang.count', z.object({}));

/** A keyed counter whose `hang.forever` never settles and ignores its signal. */
function hangAgent(hangGraceMs: number) {
  return defineAgent({
    type: 'hang',
    initialState: () => ({ count: 0 }),
    supervision: { hangGraceMs },
    handles: {
      [Forever.type]: on(Forever, () => new Promise<never>(() => {})),
      [Count.type]: on(Count, (_p, ctx) => {
        const count = (ctx.state as { count: number }).count + 1;
        ctx.setState({ count });
        return count;
      }),
    },
  });
}

describe('hung handlers', () => {
  it('should abandon a handler past its deadline plus grace, warn, and restart the instance with its state', async () => {
    await using runtime = createRuntime();
    await runtime.register(hangAgent(50));
    const events: ProgressEvent[] = [];
    runtime.progress$.subscribe((e) => events.push(e));
    const ref = runtime.ref({ type: 'hang', key: 'k' });
    expect(await ref.ask(Count.create({}))).toBe(1);
    await expect(ref.ask(Forever.create({}), { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    // The next ask waits behind the hung handler only until it is abandoned, then runs on the kept state.
    expect(await ref.ask(Count.create({}), { timeout: 5_000 })).toBe(2);
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'task.log',
        level: 'warn',
        message: expect.stringMatching(/abandoned/),
      }),
    );
  });

  it('should restart an instance on runtime.restart, answering the running ask with CancelledError', async () => {
    await using runtime = createRuntime();
    await runtime.register(hangAgent(Number.POSITIVE_INFINITY));
    const ref = runtime.ref({ type: 'hang', key: 'k' });
    expect(await ref.ask(Count.create({}))).toBe(1);
    const hung = ref.ask(Forever.create({}), { timeout: 60_000 });
    const queued = ref.ask(Count.create({}), { timeout: 60_000 });
    expect(runtime.restart({ type: 'hang', key: 'k' })).toBe(true);
    await expect(hung).rejects.toBeInstanceOf(CancelledError);
    expect(await queued).toBe(2);
    expect(runtime.restart({ type: 'hang', key: 'nobody' })).toBe(false);
  });
});
