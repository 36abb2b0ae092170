import type { ProgressEvent, TaskProgress } from '@troupe/core';
import type { Api, LiveMessage, RunRecord } from './api.js';
import { initialProgress, reduceProgress } from './core.js';
import { Extras } from './extras.js';

/** The connection as the board shows it. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

/** What a live run looks like to the views; a new object on every change. */
export interface LiveState {
  run?: RunRecord;
  progress?: TaskProgress;
  /** The last event seq applied. */
  seq: number;
  status: LiveStatus;
  extras: Extras;
  /** Snapshots received after a `lagged` notice. */
  lagged: number;
}

/**
 * One run's live stream over `WS /ws/tasks/:id`: the first connection asks for every event from
 * seq 0 (so the per-task extras are complete; a server that no longer has them sends a snapshot),
 * each event is folded in with core's `reduceProgress`, and a dropped connection reconnects with
 * `after=<last seq>`, so nothing is missed or applied twice. `lagged` is followed by a fresh snapshot.
 */
export class LiveRun {
  #state: LiveState;
  #ws: WebSocket | undefined;
  #closed = false;
  #retry = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #frame = 0;

  constructor(
    private readonly api: Api,
    private readonly id: string,
    private readonly onChange: (state: LiveState) => void,
  ) {
    this.#state = { seq: 0, status: 'connecting', extras: new Extras(), lagged: 0 };
    this.#connect();
  }

  get state(): LiveState {
    return this.#state;
  }

  /** Takes a RunRecord from a REST call (pause/resume/cancel) when it is newer. */
  setRun(run: RunRecord): void {
    if (this.#state.run !== undefined && this.#state.run.updatedAt > run.updatedAt) return;
    this.#state = { ...this.#state, run };
    this.#emit();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    cancelAnimationFrame(this.#frame);
    this.#ws?.close(1000);
  }

  #connect(): void {
    if (this.#closed) return;
    const ws = new WebSocket(this.api.liveUrl(this.id, this.#state.seq));
    this.#ws = ws;
    ws.onopen = () => {
      this.#retry = 0;
      this.#state = { ...this.#state, status: 'live' };
      this.#emit();
    };
    ws.onmessage = (m) => this.#onMessage(ws, JSON.parse(String(m.data)) as LiveMessage);
    ws.onclose = () => {
      if (this.#ws !== ws || this.#closed || this.#state.status === 'ended') return;
      this.#state = { ...this.#state, status: 'reconnecting' };
      this.#emit();
      const delay = Math.min(5000, 250 * 2 ** this.#retry++);
      this.#timer = setTimeout(() => this.#connect(), delay);
    };
  }

  #onMessage(ws: WebSocket, msg: LiveMessage): void {
    const s = this.#state;
    if (msg.type === 'snapshot') {
      this.#state = { ...s, progress: msg.snapshot, run: msg.run, seq: msg.seq };
    } else if (msg.type === 'event') {
      if (msg.seq <= s.seq) return; // already applied (a resent event)
      if (s.progress !== undefined && msg.seq > s.seq + 1) {
        ws.close(4000, 'gap'); // missed some: reconnect after the last one applied
        return;
      }
      this.#state = { ...s, progress: this.#reduce(s.progress, msg.event), seq: msg.seq };
    } else if (msg.type === 'lagged') {
      this.#state = { ...s, lagged: s.lagged + 1 };
    } else if (msg.type === 'end') {
      this.#state = { ...s, run: msg.run, status: 'ended' };
    }
    this.#emit();
  }

  #reduce(progress: TaskProgress | undefined, event: ProgressEvent): TaskProgress {
    this.#state.extras.apply(event);
    return reduceProgress(progress ?? initialProgress({ taskId: event.runId }), event);
  }

  /** Renders at most once a frame however fast events come. */
  #emit(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.onChange(this.#state);
    });
  }
}
