import type { ProgressEvent, TaskProgress } from '@troupe/core';
import {
  type EventPage,
  eventLimit,
  type RunPage,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type StoredEvent,
} from '@troupe/core';
import { RunExistsError, RunNotFoundError } from './errors.js';
import { pageRuns } from './pageRuns.js';

/** A {@link RunRepository} in memory: for tests and throwaway servers (nothing survives the process). */
export class MemoryRunRepository implements RunRepository {
  readonly #runs = new Map<string, RunRecord>();
  readonly #events = new Map<string, StoredEvent[]>();
  readonly #snapshots = new Map<string, TaskProgress>();

  async createRun(run: RunRecord): Promise<void> {
    if (this.#runs.has(run.id)) throw new RunExistsError(run.id);
    this.#runs.set(run.id, structuredClone(run));
  }

  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    const run = this.#runs.get(id);
    if (!run) throw new RunNotFoundError(`run '${id}' not found`);
    this.#runs.set(id, { ...run, ...structuredClone(patch), id });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const run = this.#runs.get(id);
    return run && structuredClone(run);
  }

  async listRuns(query: { status?: RunStatus[]; limit?: number; cursor?: string }): Promise<RunPage> {
    return pageRuns(
      [...this.#runs.values()].map((r) => structuredClone(r)),
      query,
    );
  }

  async appendEvents(id: string, events: readonly ProgressEvent[]): Promise<number> {
    const log = this.#events.get(id) ?? [];
    this.#events.set(id, log);
    for (const event of events) log.push({ seq: log.length + 1, event: structuredClone(event) });
    return log.length;
  }

  async events(id: string, query: { after?: number; limit?: number }): Promise<EventPage> {
    const log = this.#events.get(id) ?? [];
    const after = Math.max(0, query.after ?? 0);
    const page = log.slice(after, after + eventLimit(query.limit));
    const last = page.at(-1);
    return {
      events: page,
      ...(last !== undefined && last.seq < log.length ? { nextAfter: last.seq } : {}),
    };
  }

  async saveSnapshot(id: string, snapshot: TaskProgress): Promise<void> {
    this.#snapshots.set(id, snapshot);
  }

  async getSnapshot(id: string): Promise<TaskProgress | undefined> {
    return this.#snapshots.get(id);
  }

  async close(): Promise<void> {}
}
