import { CancelledError, TimeoutError, TroupeError, ValidationError } from '@troupe/core';
import { backoffDelay, isRetryable, sleep } from '@troupe/pipelines';
import { describe, expect, it } from 'vitest';

describe('backoff and retryability', () => {
  it('should grow exponentially up to maxMs, with full, equal or no jitter', () => {
    const none = { baseMs: 100, maxMs: 1000, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, none))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, { baseMs: 100, random: () => 0.5 })).toBe(200);
    expect(backoffDelay(3, { baseMs: 100, jitter: 'equal', random: () => 0 })).toBe(200);
    expect(backoffDelay(3, { baseMs: 100, jitter: 'equal', random: () => 0.999 })).toBeCloseTo(399.8);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, { baseMs: 50 });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(100);
    }
  });

  it('should retry only errors that say they are retryable, never cancellations', () => {
    expect(isRetryable(new TimeoutError())).toBe(true);
    expect(isRetryable(new TroupeError('X', 'x', { retryable: true }))).toBe(true);
    expect(isRetryable(new ValidationError('bad'))).toBe(false);
    expect(isRetryable(new CancelledError())).toBe(false);
    expect(isRetryable(Object.assign(new Error('rate limited'), { isRetryable: true }))).toBe(true);
    expect(isRetryable(new Error('plain'))).toBe(false);
    expect(isRetryable('string')).toBe(false);
  });

  it('should sleep, and stop sleeping when the signal aborts', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new CancelledError('stop'));
    await expect(slept).rejects.toThrow('stop');
  });
});
