import type { ProgressStamp, SeenWindow, TaskIdMap } from './taskProgress.js';

/** The reducer's per-task bookkeeping: a hash-bucketed task map and the duplicate-event window. */

/** Orders stamps `[ts, seq, …]`: by time, then sequence. */
export const cmp = (
  a: readonly [number, number, ...unknown[]],
  b: readonly [number, number, ...unknown[]],
): number => a[0] - b[0] || a[1] - b[1];

// Copying an object keyed by every task on each event made big runs slow, so per-task state lives
// in hash buckets (see TaskIdMap): an update copies 256 slots and one small bucket.
const BUCKETS = 256;
function bucketOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return h & (BUCKETS - 1);
}
export const emptyMap = <T>(): TaskIdMap<T> => Array.from({ length: BUCKETS }, () => ({}));
export const get = <T>(m: TaskIdMap<T>, id: string): T | undefined => m[bucketOf(id)]?.[id];
/** A copy of `m` with `id` set to `value`, or removed when `value` is undefined. */
export function put<T>(m: TaskIdMap<T>, id: string, value: T | undefined): TaskIdMap<T> {
  const b = bucketOf(id);
  const bucket = { ...m[b], [id]: value };
  if (value === undefined) delete bucket[id];
  return m.with(b, bucket as Record<string, T>);
}

// Per task, the newest 256 event keys by stamp plus the highest evicted stamp (a "floor"): exact
// dedup for anything recent, and a full replay of an old stream is still recognised via the floor.
// The price: a genuinely new event older than 256 newer events of its own task is dropped.
const SEEN_WINDOW = 256;

export function isSeen(win: SeenWindow | undefined, stamp: ProgressStamp, key: string): boolean {
  if (win === undefined) return false;
  if (win.floor !== undefined && cmp(stamp, win.floor) <= 0) return true;
  return win.recent.some(([ts, seq, k]) => ts === stamp[0] && seq === stamp[1] && k === key);
}

export function remember(win: SeenWindow | undefined, stamp: ProgressStamp, key: string): SeenWindow {
  const recent = win?.recent.slice() ?? [];
  let i = recent.length;
  while (i > 0 && cmp(recent[i - 1]!, stamp) > 0) i -= 1;
  recent.splice(i, 0, [stamp[0], stamp[1], key]);
  const evicted = recent.length > SEEN_WINDOW ? recent.shift() : undefined;
  if (evicted !== undefined) return { recent, floor: [evicted[0], evicted[1]] };
  return win?.floor === undefined ? { recent } : { recent, floor: win.floor };
}
