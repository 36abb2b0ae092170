import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  CancelledError,
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type Runtime,
  TimeoutError,
} from '../src/index.js';
import { gate, journal, Sleep, Sleeper } from './fixtures.js';

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
  journal.length = 0;
});

/**
 * Asks sharing one caller signal. `pnpm mutate` runs every test once per mutant under Stryker's instrumentation,
 * where 10,000 asks take seconds; 1,000 tell the same story there (one listener, not 1,000).
 */
const ASKS = process.env.TROUPE_MUTATION_RUN ? 1_000 : 10_000;

describe('timeouts and cancellation', () => {
  it('should reject with TimeoutError and abort the handler signal with it', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const err = await rt
      .ref(Sleeper)
      .ask(Sleep.create({ ms: 5_000, tag: 'slow' }), { timeout: 30 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/timed out after 30 ms/);
    await vi.waitFor(() => expect(journal).toContain('aborted slow TimeoutError'));
  });

  it('should reject with CancelledError when the caller aborts, and reach the handler', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const controller = new AbortController();
    const asking = rt.ref(Sleeper).ask(Sleep.create({ ms: 5_000, tag: 'x' }), { signal: controller.signal });
    await vi.waitFor(() => expect(journal).toContain('start _0 x'));
    controller.abort(new Error('user changed their mind'));
    const err = (await asking.catch((e: unknown) => e)) as CancelledError;
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toBe('user changed their mind');
    expect(journal).toContain('aborted x CancelledError');
  });

  it('should reject at once for an already aborted signal', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const err = await rt
      .ref(Sleeper)
      .ask(Sleep.create({ ms: 10, tag: 'y' }), { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(journal).toEqual([]);
  });

  it('should skip a queued message whose asker gave up', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const ref = rt.ref(Sleeper, 'q');
    const first = ref.ask(Sleep.create({ ms: 40, tag: 'first' }));
    const second = ref.ask(Sleep.create({ ms: 1, tag: 'second' }), { timeout: 10 });
    await expect(second).rejects.toBeInstanceOf(TimeoutError);
    await first;
    expect(journal.some((l) => l.includes('second'))).toBe(false);
  });

  it('should propagate cancellation from a handler to the asks it makes', async () => {
    const Go = defineMessage('test.go', z.object({}));
    const Boss = defineAgent({
      type: 'test.boss',
      handles: {
        [Go.type]: on(Go, (_p, ctx) => ctx.ask(Sleeper, Sleep.create({ ms: 5_000, tag: 'child' }))),
      },
    });
    rt = createRuntime();
    await rt.register(Sleeper);
    await rt.register(Boss);
    const err = await rt
      .ref(Boss)
      .ask(Go.create({}), { timeout: 40 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    await vi.waitFor(() => expect(journal).toContain('aborted child TimeoutError'));
  });

  it('should keep 10,000 asks in flight on one caller signal with a single listener on it', async () => {
    rt = createRuntime();
    const held = gate();
    let started = 0;
    const Held = defineAgent({
      type: 'test.held',
      handles: {
        'test.held': async (p: unknown) => {
          started++;
          await held.promise;
          return p;
        },
      },
    });
    await rt.register(Held, { instances: 4 });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const shared = new AbortController();
    const asks = Array.from({ length: ASKS }, (_, i) =>
      rt.ref(Held).ask({ type: 'test.held', payload: i }, { signal: shared.signal, timeout: 120_000 }),
    );
    // Four handlers blocked, the rest queued: all of them are linked to the signal at once.
    await vi.waitFor(() => expect(started).toBe(4));
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    held.open();
    const replies = await Promise.all(asks);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(replies[ASKS - 1]).toBe(ASKS - 1);
    expect(started).toBe(ASKS);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('should cancel 10,000 asks in flight through the one listener on their shared signal', async () => {
    rt = createRuntime();
    const never = gate();
    const Held = defineAgent({ type: 'test.held', handles: { 'test.held': () => never.promise } });
    await rt.register(Held, { instances: 4 });
    const shared = new AbortController();
    const asks = Array.from({ length: ASKS }, (_, i) =>
      rt
        .ref(Held)
        .ask({ type: 'test.held', payload: i }, { signal: shared.signal, timeout: 120_000 })
        .catch((e: unknown) => e),
    );
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    shared.abort(new Error('enough'));
    const errors = await Promise.all(asks);
    expect(errors.filter((e) => e instanceof CancelledError && e.message === 'enough')).toHaveLength(ASKS);
    never.open();
  });
});

describe('close', () => {
  it('should drain in-flight work before closing, and be idempotent', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const pending = rt.ref(Sleeper).ask(Sleep.create({ ms: 50, tag: 'drain' }));
    const closing = rt.close();
    expect(rt.close()).toBe(closing);
    await closing;
    await expect(pending).resolves.toBe('drain');
    expect(rt.stats().instances).toBe(0);
  });

  it('should abort work still running at the close deadline', async () => {
    rt = createRuntime({ closeTimeout: 30 });
    await rt.register(Sleeper);
    const pending = rt
      .ref(Sleeper)
      .ask(Sleep.create({ ms: 10_000, tag: 'stuck' }))
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(journal).toContain('start _0 stuck'));
    await rt.close();
    const err = (await pending) as CancelledError;
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toMatch(/runtime closed/);
    expect(journal).toContain('aborted stuck CancelledError');
  });

  it('should close on scope exit with await using', async () => {
    let escaped: Runtime;
    {
      await using scoped = createRuntime();
      escaped = scoped;
      await scoped.register(Sleeper);
    }
    await expect(escaped.register(Sleeper)).rejects.toThrow(/closed/);
  });
});
