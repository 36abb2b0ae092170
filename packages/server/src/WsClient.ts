import type { WebSocket } from 'ws';

/** Bounds of one WebSocket client's outgoing queue. */
export interface WsClientLimits {
  /** Frames queued (beyond the socket's own buffer) before the client is declared lagged (default 1000). */
  maxQueue?: number;
  /** Bytes queued before the client is declared lagged (default 4 MiB). */
  maxQueueBytes?: number;
  /** Bytes the socket may hold unsent (`bufferedAmount`) before frames wait in the queue (default 1 MiB). */
  highWater?: number;
  /** Ms between checks of a backed-up socket (default 25). */
  pollMs?: number;
  /** Ms a closing client may take to drain what is queued before its socket is cut (default 30 000). */
  closeTimeoutMs?: number;
}

/**
 * One WebSocket client: frames go straight to the socket while it keeps up; when its unsent bytes
 * pass `highWater` they wait in a bounded queue; when the queue overflows it is dropped, the client
 * is marked lagged, and once the socket has drained it gets `{ type: 'lagged', seq }` and a fresh
 * snapshot (`resync`). So a slow client costs at most `highWater` + the queue, and never waits the run.
 */
export class WsClient {
  readonly #ws: WebSocket;
  readonly #maxQueue: number;
  readonly #maxBytes: number;
  readonly #highWater: number;
  readonly #pollMs: number;
  readonly #closeTimeoutMs: number;
  readonly #resync: () => void;
  #queue: Array<{ seq: number; frame: string }> = [];
  #bytes = 0;
  #lagged = false;
  /** After `lagged` went out: events are dropped until the fresh snapshot comes ({@link pushSnapshot}). */
  #resyncing = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The seq of the last event or snapshot handed to the socket. */
  #sent = 0;
  /** How many times this client lagged. */
  lagCount = 0;

  constructor(ws: WebSocket, resync: () => void, limits: WsClientLimits = {}) {
    this.#ws = ws;
    this.#resync = resync;
    this.#maxQueue = limits.maxQueue ?? 1000;
    this.#maxBytes = limits.maxQueueBytes ?? 4 * 1024 * 1024;
    this.#highWater = limits.highWater ?? 1024 * 1024;
    this.#pollMs = limits.pollMs ?? 25;
    this.#closeTimeoutMs = limits.closeTimeoutMs ?? 30_000;
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  /** Bytes this client holds in its queue now (not counting the socket's buffer). */
  get queuedBytes(): number {
    return this.#bytes;
  }

  /** Bytes sent to the socket and not yet written out (`bufferedAmount`). */
  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** Sends (or queues) the frame of event or snapshot `seq`; dropped while lagged. */
  push(seq: number, frame: string): void {
    if (!this.open || this.#lagged || this.#resyncing) return;
    if (this.#queue.length === 0 && this.#ws.bufferedAmount < this.#highWater) {
      this.#send(seq, frame);
      return;
    }
    this.#queue.push({ seq, frame });
    this.#bytes += frame.length;
    if (this.#queue.length > this.#maxQueue || this.#bytes > this.#maxBytes) {
      this.#queue = [];
      this.#bytes = 0;
      this.#lagged = true;
      this.lagCount++;
    }
    this.#watch();
  }

  /** Sends (or queues) the fresh snapshot a lagged client waits for; events flow again after it. */
  pushSnapshot(seq: number, frame: string): void {
    this.#resyncing = false;
    this.push(seq, frame);
  }

  /** Sends a control frame (`end`) after whatever is queued. */
  pushControl(frame: string): void {
    if (!this.open) return;
    if (this.#queue.length === 0 && !this.#lagged) this.#ws.send(frame);
    else {
      this.#queue.push({ seq: -1, frame });
      this.#watch();
    }
  }

  /** Whether frames wait (in the queue, or the socket's buffer is full, or a resync is due). */
  #backedUp(): boolean {
    return this.#queue.length > 0 || this.#lagged || this.#ws.bufferedAmount >= this.#highWater;
  }

  /** Resolves once nothing is backed up (or the socket closed, or `timeoutMs` passed). */
  async drained(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.open && this.#backedUp() && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
  }

  /** Closes the socket with `code` once the queued frames went out (`drain`); cuts it when that takes past `closeTimeoutMs`. */
  async close(code = 1000, reason = '', drain = true): Promise<void> {
    if (drain) await this.drained(this.#closeTimeoutMs);
    this.#stop();
    if (!this.open) return;
    if (this.#backedUp()) this.#ws.terminate();
    else this.#ws.close(code, reason);
  }

  /** Cuts the connection at once (the server is closing). */
  terminate(): void {
    this.dispose();
    this.#ws.terminate();
  }

  /** Stops watching the socket (it closed). */
  dispose(): void {
    this.#stop();
    this.#queue = [];
    this.#bytes = 0;
  }

  #send(seq: number, frame: string): void {
    if (seq >= 0) this.#sent = seq;
    this.#ws.send(frame);
  }

  #watch(): void {
    this.#timer ??= setInterval(() => this.#flush(), this.#pollMs);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    if (!this.open) {
      this.dispose();
      return;
    }
    if (this.#lagged && this.#ws.bufferedAmount < this.#highWater) {
      // Only control frames (`end`) can wait while lagged: they go after the fresh snapshot.
      const held = this.#queue;
      this.#queue = [];
      this.#bytes = 0;
      this.#lagged = false;
      this.#resyncing = true;
      this.#ws.send(JSON.stringify({ type: 'lagged', seq: this.#sent }));
      this.#resync();
      for (const item of held) {
        this.#queue.push(item);
        this.#bytes += item.frame.length;
      }
    }
    while (this.#queue.length > 0 && this.#ws.bufferedAmount < this.#highWater) {
      const item = this.#queue.shift() as { seq: number; frame: string };
      this.#bytes -= item.frame.length;
      this.#send(item.seq, item.frame);
    }
    if (this.#queue.length === 0 && !this.#lagged) this.#stop();
  }
}
