import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProgressEvent, ProgressEventSchema } from '@troupe/core';
import { Observable } from 'rxjs';
import { EVENTS_PREFIX } from './JournalWriter.js';

/**
 * Reads a run's event journal from its FileStore directory without opening the store: another
 * process may be writing it, and a FileStore is one process's (it compacts on open). The journal's
 * keys (`events/…`) live in the store's `events.jsonl` log, one `{"k","v"}` line per batch (or
 * `{"k","d":1}` for a delete), appended in order; a compaction rewrites the file with the live
 * lines only (a new inode), after which it is read again from its start.
 */
export class JournalReader {
  readonly #file: string;
  readonly #batches = new Map<string, ProgressEvent[]>();
  #offset = 0;
  #inode = -1;
  #rest = '';

  constructor(storeDir: string) {
    this.#file = join(storeDir, 'events.jsonl');
  }

  /** Reads what was appended since the last call; resolves to the events of batches new since then. */
  async poll(): Promise<ProgressEvent[]> {
    let info: { ino: number; size: number };
    try {
      info = await stat(this.#file);
    } catch {
      return [];
    }
    if (info.ino !== this.#inode || info.size < this.#offset) {
      // First read, or the log was compacted: read it whole again; known batches are skipped.
      this.#inode = info.ino;
      this.#offset = 0;
      this.#rest = '';
    }
    if (info.size === this.#offset) return [];
    const fd = await open(this.#file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(info.size - this.#offset);
      const { bytesRead } = await fd.read(buffer, 0, buffer.length, this.#offset);
      this.#offset += bytesRead;
      text = this.#rest + buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fd.close();
    }
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? ''; // an unfinished last line waits for the next poll
    const fresh: Array<[string, ProgressEvent[]]> = [];
    for (const line of lines) {
      const entry = parseLine(line);
      if (entry === undefined || !entry.k.startsWith(EVENTS_PREFIX) || this.#batches.has(entry.k)) continue;
      const events = parseBatch(entry.v);
      this.#batches.set(entry.k, events);
      fresh.push([entry.k, events]);
    }
    fresh.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return fresh.flatMap(([, events]) => events);
  }
}

function parseLine(line: string): { k: string; v: unknown } | undefined {
  if (line === '') return undefined;
  try {
    const entry = JSON.parse(line) as { k?: unknown; v?: unknown; d?: unknown };
    if (typeof entry.k !== 'string' || entry.d === 1) return undefined;
    return { k: entry.k, v: entry.v };
  } catch {
    return undefined; // a torn line of a process killed mid-write
  }
}

function parseBatch(value: unknown): ProgressEvent[] {
  if (!Array.isArray(value)) return [];
  const events: ProgressEvent[] = [];
  for (const item of value) {
    const parsed = ProgressEventSchema.safeParse(item);
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

/** Every event in a run's journal now, in order. */
export async function readJournal(storeDir: string): Promise<ProgressEvent[]> {
  return new JournalReader(storeDir).poll();
}

/** Options of {@link followJournal}. */
export interface FollowJournalOptions {
  /** How often the log is looked at, ms (default 100). */
  interval?: number;
  /** Called after each look; resolves true once nothing more will come (the run ended). */
  done: () => Promise<boolean>;
}

/**
 * A run's journal as a stream: what is stored, then what is appended, until `done()` says the run
 * ended (and what it wrote last was read).
 */
export function followJournal(storeDir: string, options: FollowJournalOptions): Observable<ProgressEvent> {
  return new Observable<ProgressEvent>((subscriber) => {
    const reader = new JournalReader(storeDir);
    const interval = options.interval ?? 100;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const look = async (): Promise<void> => {
      // Ask first, then read: events written before the run ended are read in this same look.
      const finished = await options.done();
      for (const event of await reader.poll()) {
        if (stopped) return;
        subscriber.next(event);
      }
      if (finished) subscriber.complete();
      else if (!stopped) timer = setTimeout(tick, interval);
    };
    const tick = (): void => {
      look().catch((err: unknown) => subscriber.error(err));
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });
}
