import { CancelledError, TimeoutError } from '@troupe/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  IncompleteResponseError,
  parseRetryAfter,
  RateLimitError,
  retryDelay,
  ScriptedModel,
  ServerError,
} from '../src/index.js';
import { recorder } from './support/standIns.js';

const hi = [{ role: 'user' as const, content: 'hi' }];

describe('retryDelay', () => {
  it('should grow exponentially up to maxMs without jitter', () => {
    const policy = { baseMs: 100, maxMs: 1_000, jitter: 'none' as const };
    const err = new ServerError('boom');
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(err, n, { ...policy, maxRetries: 9 }))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
  });

  it('should spread full jitter over [0, d] and equal jitter over [d/2, d]', () => {
    const err = new ServerError('boom');
    expect(retryDelay(err, 3, { baseMs: 100, random: () => 0 })).toBe(0);
    expect(retryDelay(err, 3, { baseMs: 100, random: () => 0.5 })).toBe(200);
    expect(retryDelay(err, 3, { baseMs: 100, jitter: 'equal', random: () => 0 })).toBe(200);
    expect(retryDelay(err, 3, { baseMs: 100, jitter: 'equal', random: () => 0.999 })).toBeCloseTo(400, 0);
  });

  it('should honour a retryAfter far above the backoff cap and the SDKs’ caps', () => {
    const err = new RateLimitError('slow down', { retryAfter: 120_000 });
    expect(retryDelay(err, 1, { maxMs: 1_000, jitter: 'none' })).toBe(120_000);
    const jittered = retryDelay(err, 1, { random: () => 0.999 })!;
    expect(jittered).toBeGreaterThanOrEqual(120_000);
    expect(jittered).toBeLessThanOrEqual(121_000);
  });

  it('should give up when the wait would pass the deadline', () => {
    const err = new RateLimitError('slow down', { retryAfter: 5_000 });
    expect(retryDelay(err, 1, { jitter: 'none' }, 4_999)).toBeUndefined();
    expect(retryDelay(err, 1, { jitter: 'none' }, 5_001)).toBe(5_000);
  });

  it('should not retry what is not retryable, nor past maxRetries', () => {
    expect(retryDelay(new AuthenticationError('no'), 1)).toBeUndefined();
    expect(retryDelay(new RateLimitError('quota', { retryable: false }), 1)).toBeUndefined();
    expect(retryDelay(new CancelledError(), 1)).toBeUndefined();
    expect(retryDelay(new Error('plain'), 1)).toBeUndefined();
    expect(retryDelay(new ServerError('x'), 3, { maxRetries: 3 })).toBeDefined();
    expect(retryDelay(new ServerError('x'), 4, { maxRetries: 3 })).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('should read retry-after-ms first, then retry-after seconds or an HTTP date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500.5', 'retry-after': '9' }))).toBe(1500.5);
    expect(parseRetryAfter(new Headers({ 'retry-after': '120' }))).toBe(120_000);
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 01 Jan 2030 00:02:00 GMT' }), now)).toBe(
      120_000,
    );
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-3' }))).toBe(0);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});

describe('the retry policy around a model call', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should wait a 120 s retryAfter in full before retrying', async () => {
    const model = new ScriptedModel({
      script: [{ error: new RateLimitError('slow down', { retryAfter: 120_000 }) }, { text: 'at last' }],
      retry: { jitter: 'none' },
    });
    const call = model.chat({ messages: hi });
    await vi.advanceTimersByTimeAsync(119_999);
    expect(model.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(model.requests).toHaveLength(2);
    expect((await call).message.content).toBe('at last');
  });

  it('should back off between server errors and log each retry', async () => {
    const progress = recorder();
    const model = new ScriptedModel({
      script: [{ error: new ServerError('a') }, { error: new ServerError('b') }, { text: 'ok' }],
      retry: { baseMs: 1_000, jitter: 'none' },
    });
    const call = model.chat({ messages: hi, progress });
    await vi.advanceTimersByTimeAsync(999);
    expect(model.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(model.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(model.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect((await call).attempts).toBe(3);
    expect(progress.events.filter((e) => e.kind === 'task.log').map((e) => e.message)).toEqual([
      'scripted scripted: attempt 1 failed (MODEL_SERVER); retrying in 1000 ms',
      'scripted scripted: attempt 2 failed (MODEL_SERVER); retrying in 2000 ms',
    ]);
  });

  it('should stop waiting and reject with CancelledError when aborted during a backoff', async () => {
    const controller = new AbortController();
    const model = new ScriptedModel({
      script: [{ error: new ServerError('a') }, { text: 'never' }],
      retry: { baseMs: 60_000, jitter: 'none' },
    });
    const call = model.chat({ messages: hi, signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort('stop');
    expect(await call).toBeInstanceOf(CancelledError);
    expect(model.requests).toHaveLength(1);
  });

  it('should end at the caller’s deadline with TimeoutError, mid-wait', async () => {
    const model = new ScriptedModel({
      script: [{ error: new ServerError('a') }, { latencyMs: 10_000, text: 'too late' }],
      retry: { baseMs: 100, jitter: 'none' },
    });
    const call = model.chat({ messages: hi, timeout: 1_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await call).toBeInstanceOf(TimeoutError);
    expect(model.requests).toHaveLength(2);
  });

  it('should retry a stream that failed before its first delta, not after', async () => {
    const before = new ScriptedModel({
      script: [{ error: new IncompleteResponseError('cut') }, { text: 'whole answer' }],
      retry: { baseMs: 1 },
    });
    const events: string[] = [];
    const reading = (async () => {
      for await (const e of before.stream({ messages: hi })) events.push(e.type);
    })();
    await vi.advanceTimersByTimeAsync(10);
    await reading;
    expect(events.at(-1)).toBe('done');
    expect(before.requests).toHaveLength(2);

    const after = new ScriptedModel({
      script: [{ text: 'half of it', cutStream: true }, { text: 'whole answer' }],
      retry: { baseMs: 1 },
    });
    const err = await (async () => {
      for await (const _ of after.stream({ messages: hi })) {
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncompleteResponseError);
    expect(after.requests).toHaveLength(1);
  });
});
