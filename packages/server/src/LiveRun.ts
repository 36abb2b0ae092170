import type { Logger, ProgressEvent, RunRecord, RunRepository, TaskProgress } from '@troupe/core';
import type { RunHandle } from '@troupe/pipelines';
import { EventRing } from './EventRing.js';
import { LiveSnapshot } from './LiveSnapshot.js';
import { liveStatus, type Outcome, outcomeOfError, outcomeOfValue } from './runOutcome.js';
import type { SessionBoard } from './sessions.js';
import type { WsClient } from './WsClient.js';

/** Tuning of a live run. */
export interface LiveRunOptions {
  /** Recent events kept for clients reconnecting with `after` (default 5000). */
  ringSize?: number;
  /** Ms between record updates (progress, cost, tokens) written to the repository (default 250). */
  updateMs?: number;
  /** Ms a run's progress stream may stay open after its result settled (default 2000). */
  drainMs?: number;
}

/**
 * One run this server drives: numbers its events (`seq` from 1, no gaps), keeps its live
 * `TaskProgress`, writes events, snapshot and record to the repository (in batches, never holding
 * the run up), and fans events out to its WebSocket clients.
 */
export class LiveRun {
  readonly id: string;
  readonly sessions: SessionBoard;
  readonly #repo: RunRepository;
  readonly #logger: Logger;
  readonly #ring: EventRing;
  readonly #updateMs: number;
  readonly #drainMs: number;
  readonly #clients = new Set<WsClient>();
  #record: RunRecord;
  #handle: RunHandle<unknown> | undefined;
  readonly #progress: LiveSnapshot;
  #unsaved: ProgressEvent[] = [];
  #writing: Promise<void> | undefined;
  #seq = 0;
  #paused = false;
  #costUsd = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #updates: Promise<void> = Promise.resolve();
  #outcome: Outcome | undefined;
  /** Resolves once the run ended and everything about it is stored. */
  readonly ended: Promise<RunRecord>;
  #end!: (record: RunRecord) => void;

  constructor(
    options: {
      record: RunRecord;
      repo: RunRepository;
      logger: Logger;
      sessions: SessionBoard;
    } & LiveRunOptions,
  ) {
    this.id = options.record.id;
    this.#record = options.record;
    this.#repo = options.repo;
    this.#logger = options.logger;
    this.sessions = options.sessions;
    this.#ring = new EventRing(options.ringSize ?? 5000);
    this.#updateMs = options.updateMs ?? 250;
    this.#drainMs = options.drainMs ?? 2000;
    this.#progress = new LiveSnapshot({ taskId: this.id, name: options.record.goal.slice(0, 200) });
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
  }

  /** The last event's seq (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** The run's handle, once its workflow started it. */
  get handle(): RunHandle<unknown> | undefined {
    return this.#handle;
  }

  /** Whether the run ended (its record holds the outcome). */
  get finished(): boolean {
    return this.#outcome !== undefined;
  }

  /** Whether it is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Follows `handle` to its end; `release` (closing the run's runtime) runs once it ended. */
  attach(handle: RunHandle<unknown>, release: () => Promise<void>): void {
    this.#handle = handle;
    const drained = new Promise<void>((resolve) => {
      handle.progress$.subscribe({
        next: (e) => this.#onEvent(e),
        error: () => {
          this.#progress.end();
          resolve();
        },
        complete: () => {
          this.#progress.end();
          resolve();
        },
      });
    });
    handle.result.then(
      (value) => this.#finish(outcomeOfValue(value), drained, release),
      (err: unknown) => this.#finish(outcomeOfError(err), drained, release),
    );
  }

  /** Ends a run whose workflow failed to start. */
  failToStart(err: unknown, release: () => Promise<void>): void {
    void this.#finish(outcomeOfError(err), Promise.resolve(), release);
  }

  /** The live snapshot (it may miss the events of the last 50 ms; see {@link exactSnapshot}). */
  snapshot(): TaskProgress {
    return this.#progress.latest;
  }

  /** Calls `fn` with the `snapshot` frame once the snapshot includes every event so far (within about 50 ms). */
  exactSnapshot(fn: (seq: number, frame: string) => void): void {
    this.#progress.whenExact(() => fn(this.#seq, this.snapshotFrame()));
  }

  /** The run's record as of now. */
  record(): RunRecord {
    if (this.#outcome) return this.#record;
    const snap = this.snapshot();
    const { input, output } = snap.executionDetails.tokensUsed;
    return {
      ...this.#record,
      status: liveStatus(this.#paused, snap),
      progress: snap.overallProgress / 100,
      costUsd: this.#costUsd,
      tokens: { input, output },
    };
  }

  /** The `snapshot` frame for a client. */
  snapshotFrame(): string {
    return JSON.stringify({
      type: 'snapshot',
      seq: this.#seq,
      snapshot: this.snapshot(),
      run: this.record(),
    });
  }

  /** Adds a client: the events after `after` when the ring still has them, else a snapshot; then live events. */
  subscribe(client: WsClient, after: number | undefined): void {
    const frames = after === undefined ? undefined : this.#ring.after(after, this.#seq);
    if (frames === undefined) {
      // Joins the live clients in the same turn as its snapshot, so it misses and repeats nothing.
      this.exactSnapshot((seq, frame) => {
        client.push(seq, frame);
        this.#join(client);
      });
      return;
    }
    let seq = after as number;
    for (const frame of frames) client.push(++seq, frame);
    this.#join(client);
  }

  #join(client: WsClient): void {
    if (!client.open) return;
    if (this.#outcome) {
      client.pushControl(JSON.stringify({ type: 'end', run: this.#record }));
      void client.close(1000, 'run ended');
      return;
    }
    this.#clients.add(client);
  }

  /** Removes a client (its socket closed). */
  unsubscribe(client: WsClient): void {
    this.#clients.delete(client);
  }

  /** Pauses: no new step starts until {@link resume}. */
  pause(): void {
    this.#handle?.pause();
    this.#paused = true;
    this.#touch();
  }

  /** Lets steps start again. */
  resume(): void {
    this.#handle?.resume();
    this.#paused = false;
    this.#touch();
  }

  #onEvent(event: ProgressEvent): void {
    const seq = ++this.#seq;
    const frame = JSON.stringify({ type: 'event', seq, event });
    this.#ring.push(seq, frame);
    this.#unsaved.push(event);
    if (event.kind === 'task.model_call' && event.costUsd !== undefined) this.#costUsd += event.costUsd;
    for (const client of this.#clients) client.push(seq, frame);
    // After the clients: a snapshot made now includes this event, and a client it lets join must not get it again.
    this.#progress.push(seq, event);
    this.#persist();
    this.#touch();
  }

  /** Writes the unsaved events, one batch at a time. */
  #persist(): void {
    if (this.#writing || this.#unsaved.length === 0) return;
    const batch = this.#unsaved.splice(0, 2000);
    this.#writing = this.#repo
      .appendEvents(this.id, batch)
      .then(
        () => undefined,
        (err: unknown) => this.#logger.error('cannot store run events', { runId: this.id, error: err }),
      )
      .finally(() => {
        this.#writing = undefined;
        this.#persist();
      });
  }

  /** Resolves once every event so far is in the repository. */
  async persisted(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Schedules a record update (progress, status, cost, tokens). */
  #touch(): void {
    if (this.#timer || this.#outcome) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#outcome) return;
      const { id: _id, ...patch } = this.record();
      this.#update({ ...patch, updatedAt: Date.now() });
    }, this.#updateMs);
  }

  #update(patch: Partial<Omit<RunRecord, 'id'>>): void {
    this.#updates = this.#updates
      .then(() => this.#repo.updateRun(this.id, patch))
      .catch((err: unknown) =>
        this.#logger.error('cannot update run record', { runId: this.id, error: err }),
      );
  }

  async #finish(outcome: Outcome, drained: Promise<void>, release: () => Promise<void>): Promise<void> {
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, this.#drainMs).unref())]);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#progress.end();
    const last = this.record();
    this.#outcome = outcome;
    this.#record = { ...last, ...outcome, updatedAt: Date.now() };
    if (outcome.status === 'completed') this.#record.progress = 1;
    if (!outcome.error) delete this.#record.error;
    this.sessions.clear();
    await this.persisted();
    try {
      await this.#repo.saveSnapshot(this.id, this.snapshot());
    } catch (err) {
      this.#logger.error('cannot store run snapshot', { runId: this.id, error: err });
    }
    const { id: _id, ...patch } = this.#record;
    this.#update(patch);
    await this.#updates;
    const end = JSON.stringify({ type: 'end', run: this.#record });
    for (const client of this.#clients) {
      client.pushControl(end);
      void client.close(1000, 'run ended');
    }
    this.#clients.clear();
    await release().catch((err: unknown) =>
      this.#logger.warn('cannot close run runtime', { runId: this.id, error: err }),
    );
    this.#end(this.#record);
  }
}
