/**
 * The duplicate-event window of one task id, kept on the task itself: the newest events by stamp,
 * plus the highest stamp evicted (a "floor"). Exact dedup for anything recent, and a full replay
 * of an old stream is still recognised through the floor. The price: a genuinely new event older
 * than 256 newer events of its own task is taken for a duplicate and dropped.
 */
export interface SeenWindow {
  /** Flat `[ts, seq, runId, kind]` quadruples, ascending by stamp (one array per task, made on first use). */
  recent: Array<number | string> | undefined;
  floorTs: number;
  floorSeq: number;
}

/** Events remembered per task. */
export const SEEN_SIZE = 256;

/** A window that has seen nothing. */
export const emptyWindow = (): SeenWindow => ({
  recent: undefined,
  floorTs: Number.NEGATIVE_INFINITY,
  floorSeq: 0,
});

/** Whether this event was seen (or lies at or below the floor). */
export function wasSeen(w: SeenWindow, ts: number, seq: number, runId: string, kind: string): boolean {
  if (ts < w.floorTs || (ts === w.floorTs && seq <= w.floorSeq)) return true;
  const r = w.recent;
  if (r === undefined) return false;
  for (let i = r.length - 4; i >= 0; i -= 4) {
    if (r[i] === ts && r[i + 1] === seq && r[i + 2] === runId && r[i + 3] === kind) return true;
  }
  return false;
}

/** Remembers an event (in stamp order: appending is the common case), evicting the oldest past the size. */
export function remember(w: SeenWindow, ts: number, seq: number, runId: string, kind: string): void {
  const r = w.recent;
  if (r === undefined) {
    w.recent = [ts, seq, runId, kind];
    return;
  }
  let i = r.length;
  while (i > 0) {
    const t = r[i - 4] as number;
    if (t < ts || (t === ts && (r[i - 3] as number) <= seq)) break;
    i -= 4;
  }
  if (i === r.length) r.push(ts, seq, runId, kind);
  else r.splice(i, 0, ts, seq, runId, kind);
  if (r.length > SEEN_SIZE * 4) {
    w.floorTs = r[0] as number;
    w.floorSeq = r[1] as number;
    r.splice(0, 4);
  }
}
