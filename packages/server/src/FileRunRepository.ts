import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createLogger,
  type EventPage,
  eventLimit,
  type Logger,
  type ProgressEvent,
  type RunPage,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type StoredEvent,
  type TaskProgress,
  ValidationError,
} from '@troupe/core';
import { RunExistsError, RunNotFoundError } from './errors.js';
import { withFileLock } from './fileLock.js';
import { pageRuns } from './pageRuns.js';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A {@link RunRepository} over a directory: `runs/<id>/run.json` (the record), `events.jsonl` (one
 * `{ seq, event }` per line), `snapshot.json`. Writers take a per-run lock file, so several
 * processes may share the directory. Paging a log reads it from the start (fine for logs of
 * thousands of events; use `@troupe/sql` for very long ones). A torn last line of a log (a process
 * killed mid-append) is skipped when read and cut off before the next append; a run whose
 * `run.json` does not parse is left out of {@link FileRunRepository.listRuns} with a warning.
 * @example
 * const repo = await FileRunRepository.open({ dir: '.troupe/server' });
 */
export class FileRunRepository implements RunRepository {
  readonly #dir: string;
  /** Run id → [size of events.jsonl, its last seq] when this process last wrote it. */
  readonly #tails = new Map<string, [number, number]>();
  readonly #logger: Logger;

  private constructor(dir: string, logger: Logger) {
    this.#dir = dir;
    this.#logger = logger;
  }

  /**
   * Opens (creating it when absent) the repository in `dir`.
   * @param options.logger where warnings go (a run skipped for a corrupt `run.json`); default stderr.
   */
  static async open(options: { dir: string; logger?: Logger }): Promise<FileRunRepository> {
    await mkdir(join(options.dir, 'runs'), { recursive: true });
    return new FileRunRepository(options.dir, options.logger ?? createLogger({ name: 'server' }));
  }

  #runDir(id: string): string {
    if (!SAFE_ID.test(id)) {
      throw new ValidationError(`invalid run id '${id.slice(0, 64)}'`, {
        issues: [{ path: 'id', message: 'letters, digits, ".", "_" and "-" only, at most 128' }],
      });
    }
    return join(this.#dir, 'runs', id);
  }

  async createRun(run: RunRecord): Promise<void> {
    const dir = this.#runDir(run.id);
    await mkdir(join(this.#dir, 'runs'), { recursive: true });
    try {
      await mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RunExistsError(run.id);
      throw err;
    }
    await writeJson(join(dir, 'run.json'), run);
  }

  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    const dir = this.#runDir(id);
    await withFileLock(join(dir, 'run.lock'), async () => {
      const run = await this.getRun(id);
      if (!run) throw new RunNotFoundError(`run '${id}' not found`);
      await writeJson(join(dir, 'run.json'), { ...run, ...patch, id });
    }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new RunNotFoundError(`run '${id}' not found`) : err;
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return readJson<RunRecord>(join(this.#runDir(id), 'run.json'));
  }

  async listRuns(query: { status?: RunStatus[]; limit?: number; cursor?: string }): Promise<RunPage> {
    const ids = await readdir(join(this.#dir, 'runs')).catch(() => [] as string[]);
    const runs = await Promise.all(
      ids
        .filter((id) => SAFE_ID.test(id))
        .map((id) =>
          readJson<RunRecord>(join(this.#dir, 'runs', id, 'run.json')).catch((err: unknown) => {
            // One unreadable run must not hide every other one.
            this.#logger.warn('skipping a run whose run.json cannot be read', {
              run: id,
              error: err instanceof Error ? err.message : String(err),
            });
            return undefined;
          }),
        ),
    );
    return pageRuns(
      runs.filter((r): r is RunRecord => r !== undefined),
      query,
    );
  }

  async appendEvents(id: string, events: readonly ProgressEvent[]): Promise<number> {
    const dir = this.#runDir(id);
    const file = join(dir, 'events.jsonl');
    return withFileLock(join(dir, 'events.lock'), async () => {
      const [size, known] = await this.#lastSeq(id, file);
      let seq = known;
      const text = events.map((event) => `${JSON.stringify({ seq: ++seq, event })}\n`).join('');
      if (text.length > 0) await appendFile(file, text);
      this.#tails.set(id, [size + Buffer.byteLength(text), seq]);
      return seq;
    }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new RunNotFoundError(`run '${id}' not found`) : err;
    });
  }

  /**
   * The size of the log and its last seq: from this process's last write when the size still
   * matches, else from the file's tail. A torn last line (no newline: a writer killed mid-append)
   * is cut off first, so the next append starts on a line of its own.
   */
  async #lastSeq(id: string, file: string): Promise<[number, number]> {
    const fh = await open(file, 'a+');
    try {
      let { size } = await fh.stat();
      const cached = this.#tails.get(id);
      if (cached && cached[0] === size) return cached;
      if (size === 0) return [0, 0];
      const length = Math.min(size, 1 << 20);
      const buf = Buffer.alloc(length);
      await fh.read(buf, 0, length, size - length);
      let text = buf.toString('utf8');
      if (buf[length - 1] !== 0x0a) {
        const newline = buf.lastIndexOf(0x0a);
        if (newline < 0 && size > length) throw new Error(`${file}: last line longer than ${length} bytes`);
        if (parseLine(buf.subarray(newline + 1).toString('utf8')) !== undefined) {
          // Whole but for its newline: readers already see it, so keep it.
          await fh.appendFile('\n');
          size += 1;
        } else {
          text = buf.subarray(0, newline + 1).toString('utf8');
          size = size - length + newline + 1;
          await fh.truncate(size);
        }
      }
      const lines = text.trimEnd().split('\n');
      const last = JSON.parse(lines.at(-1) || '{}') as Partial<StoredEvent>;
      return [size, last.seq ?? 0];
    } finally {
      await fh.close();
    }
  }

  async events(id: string, query: { after?: number; limit?: number }): Promise<EventPage> {
    const after = Math.max(0, query.after ?? 0);
    const limit = eventLimit(query.limit);
    const events: StoredEvent[] = [];
    let more = false;
    const stream = createReadStream(join(this.#runDir(id), 'events.jsonl'), { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      let n = 0;
      let torn: string | undefined;
      for await (const line of lines) {
        if (line.length === 0) continue;
        // Only the last line may be torn (a writer killed mid-append); one before others is damage.
        if (torn !== undefined) throw new Error(`run '${id}': events.jsonl line ${n + 1} does not parse`);
        const event = parseLine(line);
        if (event === undefined) {
          torn = line;
          continue;
        }
        n++;
        if (n <= after) continue;
        if (events.length === limit) {
          more = true;
          break;
        }
        events.push(event);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    } finally {
      lines.close();
      stream.destroy();
    }
    const last = events.at(-1);
    return { events, ...(more && last ? { nextAfter: last.seq } : {}) };
  }

  async saveSnapshot(id: string, snapshot: TaskProgress): Promise<void> {
    await writeJson(join(this.#runDir(id), 'snapshot.json'), snapshot);
  }

  async getSnapshot(id: string): Promise<TaskProgress | undefined> {
    return readJson<TaskProgress>(join(this.#runDir(id), 'snapshot.json'));
  }

  async close(): Promise<void> {}
}

/** A stored line, or undefined when it does not parse (a torn last line). */
function parseLine(line: string): StoredEvent | undefined {
  try {
    return JSON.parse(line) as StoredEvent;
  } catch {
    return undefined;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes through a temp file and a rename, so a reader never sees half a file. */
async function writeJson(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}
