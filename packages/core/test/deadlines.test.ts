import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadlines, type Timed } from '../src/runtime/Deadlines.js';
import { MAX_TIMER_MS } from '../src/runtime/timeouts.js';

function item(name: string, fired: string[]): Timed {
  return {
    deadlineSlot: -1,
    deadlineAt: 0,
    onDeadline: () => fired.push(name),
  };
}

describe('Deadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('should fire each item at its own due time, in due order, on one timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const now = Date.now();
    for (const [name, ms] of [
      ['c', 30],
      ['a', 10],
      ['d', 40],
      ['b', 20],
      ['a2', 10],
    ] as const)
      deadlines.add(item(name, fired), now + ms, now);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(9);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired.sort()).toEqual(['a', 'a2']);
    vi.advanceTimersByTime(10);
    expect(fired.slice(2)).toEqual(['b']);
    vi.advanceTimersByTime(20);
    expect(fired.slice(3)).toEqual(['c', 'd']);
    expect(deadlines.size).toBe(0);
  });

  it('should not fire a removed item, and keep the others in order', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const now = Date.now();
    const items = Array.from({ length: 50 }, (_, i) => item(`i${i}`, fired));
    // Due in a shuffled order: i * 7 mod 50 ms (all distinct).
    items.forEach((it, i) => {
      deadlines.add(it, now + 1 + ((i * 7) % 50), now);
    });
    for (let i = 0; i < 50; i += 3) deadlines.remove(items[i] as Timed);
    deadlines.remove(items[0] as Timed); // twice: nothing
    vi.advanceTimersByTime(100);
    const expected = items
      .map((_, i) => i)
      .filter((i) => i % 3 !== 0)
      .sort((a, b) => ((a * 7) % 50) - ((b * 7) % 50))
      .map((i) => `i${i}`);
    expect(fired).toEqual(expected);
  });

  it('should fire nothing after clear, and schedule again afterwards', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const now = Date.now();
    const a = item('a', fired);
    deadlines.add(a, now + 10, now);
    deadlines.add(item('b', fired), now + 20, now);
    deadlines.clear();
    expect(deadlines.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual([]);
    deadlines.add(a, Date.now() + 5);
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['a']);
  });

  it('should re-arm for an earlier item added after a later one', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const now = Date.now();
    deadlines.add(item('late', fired), now + 1000, now);
    deadlines.add(item('early', fired), now + 5, now);
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['early']);
    vi.advanceTimersByTime(995);
    expect(fired).toEqual(['early', 'late']);
  });

  it('should chain delays past the longest setTimeout instead of firing at once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const now = Date.now();
    deadlines.add(item('far', fired), now + MAX_TIMER_MS + 1000, now);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['far']);
  });

  it('should trust its timer when the clock is not faked along with it', () => {
    // setTimeout faked, Date real: the timer's firing is what says the item is due.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const now = Date.now();
    deadlines.add(item('a', fired), now + 50, now);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['a']);
  });

  it('should keep the process alive only while something is pending (keepsAlive)', () => {
    const timers: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      const timer = real(fn, ms);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const fired: string[] = [];
    const deadlines = new Deadlines({ keepsAlive: true });
    const a = item('a', fired);
    deadlines.add(a, Date.now() + 60_000);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(true);
    deadlines.remove(a);
    expect(timers[0]?.hasRef()).toBe(false);
    deadlines.add(a, Date.now() + 60_000);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(true);
    deadlines.remove(a);
    const watch = new Deadlines({ keepsAlive: false });
    watch.add(item('b', fired), Date.now() + 60_000);
    expect(timers[1]?.hasRef()).toBe(false);
    for (const t of timers) clearTimeout(t);
    vi.restoreAllMocks();
  });
});
