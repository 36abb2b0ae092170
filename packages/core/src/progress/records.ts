import type { ProgressEvent } from './events.js';
import type { ArtifactRecord, LogRecord, ToolCallRecord } from './taskProgress.js';

/** Log lines kept in a snapshot (the newest); older ones are dropped so a long run stays bounded. */
export const MAX_LOGS = 1000;
/** Tool calls kept in a snapshot (the newest); a later update for a dropped call is appended anew. */
export const MAX_TOOL_CALLS = 1000;

/** The newest `max` items, appended in O(1) and copied out only when they changed. */
class Window<T> {
  #items: T[] = [];
  #head = 0; // index of the first live item
  #base = 0; // absolute index of #items[0]
  #copy: T[] = [];
  changed = false;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Appends; returns its absolute index and calls `evicted` with an item that fell out. */
  push(item: T, evicted?: (item: T, index: number) => void): number {
    this.#items.push(item);
    this.changed = true;
    if (this.#items.length - this.#head > this.#max) {
      evicted?.(this.#items[this.#head] as T, this.#base + this.#head);
      this.#head += 1;
      if (this.#head >= this.#max) {
        this.#items = this.#items.slice(this.#head);
        this.#base += this.#head;
        this.#head = 0;
      }
    }
    return this.#base + this.#items.length - 1;
  }

  /** The live item at an absolute index, or undefined once dropped. */
  at(index: number): T | undefined {
    const i = index - this.#base;
    return i >= this.#head ? this.#items[i] : undefined;
  }

  set(index: number, item: T): void {
    this.#items[index - this.#base] = item;
    this.changed = true;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** The live items as an array of its own (the same array until they change again). */
  snapshot(): T[] {
    if (this.changed) {
      this.#copy = this.#items.slice(this.#head);
      this.changed = false;
    }
    return this.#copy;
  }
}

type RecordEvent = Extract<
  ProgressEvent,
  { kind: 'task.log' | 'task.artifact' | 'task.tokens' | 'task.tool_call' }
>;

/** What a run produced besides its tree: logs, tool calls, artifacts and token counts. */
export class Records {
  readonly logs = new Window<LogRecord>(MAX_LOGS);
  readonly toolCalls = new Window<ToolCallRecord>(MAX_TOOL_CALLS);
  readonly #callIndex = new Map<string, number>();
  readonly artifacts = new Window<ArtifactRecord>(Number.POSITIVE_INFINITY);
  tokens = { input: 0, output: 0, total: 0 };

  /** Folds a record event in; returns how many items a snapshot will copy because of it. */
  apply(ev: RecordEvent): number {
    const { taskId, ts } = ev;
    if (ev.kind === 'task.log') {
      const fresh = !this.logs.changed;
      this.logs.push({ level: ev.level, message: ev.message, taskId, ts });
      return fresh ? this.logs.length : 1;
    }
    if (ev.kind === 'task.artifact') {
      const artifact: ArtifactRecord = { name: ev.name, taskId, ts };
      if (ev.uri !== undefined) artifact.uri = ev.uri;
      if (ev.mimeType !== undefined) artifact.mimeType = ev.mimeType;
      if (ev.size !== undefined) artifact.size = ev.size;
      const fresh = !this.artifacts.changed;
      this.artifacts.push(artifact);
      return fresh ? this.artifacts.length : 1;
    }
    if (ev.kind === 'task.tokens') {
      const { input, output, total } = this.tokens;
      this.tokens = {
        input: input + ev.input,
        output: output + ev.output,
        total: total + ev.input + ev.output,
      };
      return 1;
    }
    const fresh = !this.toolCalls.changed;
    const index = ev.callId === undefined ? undefined : this.#callIndex.get(ev.callId);
    const old = index === undefined ? undefined : this.toolCalls.at(index);
    if (index !== undefined && old !== undefined) {
      // A late 'started' must not undo the call's outcome.
      const status = ev.status === 'started' ? old.status : ev.status;
      this.toolCalls.set(index, { ...old, status, ts: Math.min(old.ts, ts) });
    } else {
      const call: ToolCallRecord = { tool: ev.tool, status: ev.status, taskId, ts };
      if (ev.callId !== undefined) call.callId = ev.callId;
      const at = this.toolCalls.push(call, (dropped, i) => {
        if (dropped.callId !== undefined && this.#callIndex.get(dropped.callId) === i)
          this.#callIndex.delete(dropped.callId);
      });
      if (ev.callId !== undefined) this.#callIndex.set(ev.callId, at);
    }
    return fresh ? this.toolCalls.length : 1;
  }
}
