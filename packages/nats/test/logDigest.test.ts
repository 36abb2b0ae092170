import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogDigest } from '../src/LogDigest.js';

function capture() {
  const lines: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
  const warn = (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields });
  return { lines, logger: { debug() {}, info() {}, warn, error: warn } };
}

describe('LogDigest', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should log the first of a kind, count repeats, and log the count when the window ends', () => {
    const { lines, logger } = capture();
    const digest = new LogDigest(logger, { windowMs: 10_000 });
    for (let i = 0; i < 1_000; i++) digest.warn('bad things', `bad thing ${i}`);
    expect(lines.map((l) => l.message)).toEqual(['bad thing 0']);
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.message).toBe('999 more bad things in the last 10 s (not logged one by one)');
    expect(lines[1]?.fields).toEqual({ count: 999, last: 'bad thing 999' });
    // Quiet afterwards: nothing more is logged.
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });

  it('should keep kinds apart and log a new window first-hand', () => {
    const { lines, logger } = capture();
    const digest = new LogDigest(logger, { windowMs: 1_000 });
    digest.warn('a', 'a1');
    digest.warn('b', 'b1');
    digest.warn('a', 'a2');
    expect(lines.map((l) => l.message)).toEqual(['a1', 'b1']);
    vi.advanceTimersByTime(5_000);
    expect(lines.map((l) => l.message)).toEqual([
      'a1',
      'b1',
      '1 more a in the last 1 s (not logged one by one)',
    ]);
    digest.warn('a', 'a3');
    expect(lines.at(-1)?.message).toBe('a3');
  });

  it('should log what is counted on flush', () => {
    const { lines, logger } = capture();
    const digest = new LogDigest(logger);
    digest.warn('x', 'x1');
    digest.warn('x', 'x2');
    digest.warn('x', 'x3');
    digest.flush();
    expect(lines.map((l) => l.fields?.count)).toEqual([undefined, 2]);
    digest.flush();
    expect(lines).toHaveLength(2);
  });
});
