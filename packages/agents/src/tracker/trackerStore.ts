import {
  initialProgress,
  type ProgressEvent,
  reduceProgress,
  type Store,
  type TaskProgress,
} from '@troupe/core';
import { type EstimatePlan, estimateRemaining } from './estimate.js';

const SAFE = /[A-Za-z0-9_.:-]/;

/** `runId` as one store key segment: `[A-Za-z0-9_.:-]` kept, every other byte `=XX`. */
export function runToken(runId: string): string {
  let out = '';
  for (const ch of runId) {
    if (SAFE.test(ch)) out += ch;
    else for (const byte of new TextEncoder().encode(ch)) out += `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out || '=';
}

/** The store keys of one tracked run: `tracker/<run>/snapshot`, `…/plan`, `…/log/<n>`. */
export function trackerKeys(runId: string): {
  snapshot: string;
  plan: string;
  log: string;
  chunk(n: number): string;
} {
  const base = `tracker/${runToken(runId)}`;
  return {
    snapshot: `${base}/snapshot`,
    plan: `${base}/plan`,
    log: `${base}/log/`,
    chunk: (n) => `${base}/log/${String(n).padStart(10, '0')}`,
  };
}

/**
 * One run's progress as the tracker keeps it: the events folded with core's
 * `reduceProgress`, the plan (for the estimate) and the time of the last
 * event. The same events in the same order give the same view, live or rebuilt.
 */
export class RunTrack {
  #progress: TaskProgress = initialProgress();
  #plan: EstimatePlan | undefined;
  #lastTs = 0;
  /** Log chunks stored so far. */
  chunks = 0;
  /** Events folded in so far. */
  events = 0;

  apply(events: readonly ProgressEvent[]): void {
    for (const event of events) {
      this.#progress = reduceProgress(this.#progress, event);
      if (event.ts > this.#lastTs) this.#lastTs = event.ts;
    }
    this.events += events.length;
  }

  setPlan(plan: EstimatePlan | undefined): void {
    this.#plan = plan;
  }

  /** The snapshot `progress.get` answers: the reduced progress with the plan-based estimate, when there is a plan. */
  view(): TaskProgress {
    const p = this.#progress;
    if (!this.#plan) return p;
    const estimatedRemaining = estimateRemaining(p, this.#plan, this.#lastTs);
    return { ...p, executionDetails: { ...p.executionDetails, estimatedRemaining } };
  }
}

/** Reads a run's plan and event log from `store` and folds them again, exactly as the live tracker did. */
export async function loadRunTrack(store: Store, runId: string): Promise<RunTrack> {
  const keys = trackerKeys(runId);
  const track = new RunTrack();
  track.setPlan(await store.get<EstimatePlan>(keys.plan));
  const chunks = await store.keys(keys.log);
  for (const key of chunks) track.apply((await store.get<ProgressEvent[]>(key)) ?? []);
  const last = chunks.at(-1);
  track.chunks = last === undefined ? 0 : Number(last.slice(keys.log.length)) + 1;
  return track;
}

/** A run's progress rebuilt from the event log a `TrackerAgent` stored (equal to what it answers live). */
export async function rebuildProgress(store: Store, runId: string): Promise<TaskProgress> {
  return (await loadRunTrack(store, runId)).view();
}
