import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineWheel, type WheelItem } from '../src/DeadlineWheel.js';

interface Item extends WheelItem {
  name: string;
}

const item = (name: string): Item => ({ name, wheelSlot: -1, wheelIndex: 0 });

describe('DeadlineWheel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should fire each item once its deadline passed, never before, on one timer', () => {
    const fired: string[] = [];
    const wheel = new DeadlineWheel<Item>((i) => fired.push(i.name));
    const [a, b, c] = [item('a'), item('b'), item('c')];
    wheel.add(b, 1_000_200);
    wheel.add(c, 1_000_300);
    wheel.add(a, 1_000_100); // earlier than the armed deadline: re-arms
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(wheel.size).toBe(0);
  });

  it('should not fire removed items, and keep the others of their slot', () => {
    const fired: string[] = [];
    const wheel = new DeadlineWheel<Item>((i) => fired.push(i.name));
    const items = ['a', 'b', 'c', 'd'].map(item);
    for (const i of items) wheel.add(i, 1_000_050);
    wheel.remove(items[0] as Item);
    wheel.remove(items[2] as Item);
    wheel.remove(items[2] as Item);
    expect(wheel.size).toBe(2);
    vi.advanceTimersByTime(60);
    expect(fired.sort()).toEqual(['b', 'd']);
  });

  it('should fire nothing after clear, and work again after being emptied', () => {
    const fired: string[] = [];
    const wheel = new DeadlineWheel<Item>((i) => fired.push(i.name));
    const a = item('a');
    wheel.add(a, 1_000_050);
    wheel.remove(a);
    wheel.add(item('b'), 1_000_500);
    wheel.add(item('c'), 1_000_600);
    wheel.clear();
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([]);
    wheel.add(item('d'), Date.now() + 10);
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(['d']);
  });
});
