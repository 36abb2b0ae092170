import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CancelledError,
  completedEvent,
  createRuntime,
  defineAgent,
  defineMessage,
  errorPreview,
  failureEvent,
  isTerminalStatus,
  on,
  outcomeEvent,
  PREVIEW_MAX_CHARS,
  type ProgressEvent,
  resultPreview,
  statusOfError,
  TERMINAL_STATUSES,
  TimeoutError,
  TroupeError,
  ValidationError,
} from '../src/index.js';

describe('how a task ends (one definition for runtime, pipelines and reducer)', () => {
  it('should name the terminal statuses and map errors onto them', () => {
    expect(TERMINAL_STATUSES).toEqual(['completed', 'failed', 'timed_out', 'cancelled']);
    expect(isTerminalStatus('cancelled')).toBe(true);
    expect(isTerminalStatus('running')).toBe(false);
    expect(statusOfError(new TimeoutError())).toBe('timed_out');
    expect(statusOfError(new CancelledError())).toBe('cancelled');
    expect(statusOfError(new Error('x'))).toBe('failed');
  });

  it('should build the outcome event of a value or an error', () => {
    expect(outcomeEvent({ value: 42 })).toEqual({ kind: 'task.completed', result: 42 });
    expect(outcomeEvent({ value: undefined })).toEqual({ kind: 'task.completed' });
    expect(failureEvent(new TimeoutError('slow', { data: { timeout: 20 } }))).toEqual({
      kind: 'task.timed_out',
      timeoutMs: 20,
    });
    expect(failureEvent(new TimeoutError('slow'))).toEqual({ kind: 'task.timed_out' });
    expect(outcomeEvent({ error: new CancelledError('stop') })).toEqual({
      kind: 'task.cancelled',
      reason: 'stop',
    });
    expect(outcomeEvent({ error: new TroupeError('E_X', 'boom', { retryable: true }) })).toEqual({
      kind: 'task.failed',
      error: { code: 'E_X', name: 'TroupeError', message: 'boom', retryable: true },
    });
    expect(completedEvent('ok')).toEqual({ kind: 'task.completed', result: 'ok' });
  });

  it('should cap every preview at one size, at a cost bounded by the cap', () => {
    const long = 'y'.repeat(5 * PREVIEW_MAX_CHARS);
    const cut = resultPreview(long) as string;
    expect(cut).toHaveLength(PREVIEW_MAX_CHARS);
    expect(cut.endsWith('…')).toBe(true);
    expect(resultPreview('short')).toBe('short');
    expect(resultPreview({ a: 1, b: [true, null] })).toEqual({ a: 1, b: [true, null] });
    expect(resultPreview([1, 'two'])).toEqual([1, 'two']);
    expect(resultPreview(null)).toBeNull();
    expect(resultPreview(() => 1)).toBeUndefined();
    // A huge value: its preview is a cut JSON string, made without serializing the whole value.
    // Counted, not timed: each element read goes through the proxy, and serializing it all would read 1,000,000.
    let reads = 0;
    const elements = Array.from({ length: 1_000_000 }, (_, i) => ({ i }));
    const huge = new Proxy(elements, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const preview = resultPreview(huge) as string;
    // Each element takes at least 8 characters (`{"i":0},`), so the cap is reached within PREVIEW_MAX_CHARS / 8.
    expect(reads).toBeLessThanOrEqual(PREVIEW_MAX_CHARS / 8 + 1);
    expect(preview).toHaveLength(PREVIEW_MAX_CHARS);
    expect(preview.startsWith('[{"i":0},{"i":1}')).toBe(true);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(String(resultPreview(cyclic)).startsWith('{"name":"loop","self":')).toBe(true);
    // Errors: the message is cut at the same cap; data is kept only when it fits.
    const err = new ValidationError('v'.repeat(1000), {
      issues: Array.from({ length: 100 }, (_, i) => ({ path: `f${i}`, message: 'bad' })),
    });
    const wire = errorPreview(err);
    expect(wire.message).toHaveLength(PREVIEW_MAX_CHARS);
    expect(wire.data).toBeUndefined();
    expect(errorPreview(new TroupeError('E', 'm', { data: { small: 1 } })).data).toEqual({ small: 1 });
  });

  it('should put the same bounded preview on the runtime’s task.completed events', async () => {
    const Echo = defineMessage('test.echo', z.object({ size: z.number() }));
    const Echoer = defineAgent({
      type: 'test.echoer',
      handles: { [Echo.type]: on(Echo, ({ size }) => (size < 0 ? { size } : 'z'.repeat(size))) },
    });
    await using rt = createRuntime();
    await rt.register(Echoer);
    const events = lastValueFrom(rt.progress$.pipe(toArray()));
    await rt.ref(Echoer).ask(Echo.create({ size: 10_000 }));
    await rt.ref(Echoer).ask(Echo.create({ size: -1 }));
    await rt.close();
    const results = (await events)
      .filter((e): e is Extract<ProgressEvent, { kind: 'task.completed' }> => e.kind === 'task.completed')
      .map((e) => e.result);
    expect((results[0] as string).length).toBe(PREVIEW_MAX_CHARS);
    expect(results[1]).toEqual({ size: -1 });
  });
});
