import { type FileHandle, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ClosedError } from '../errors/errors.js';
import type { Store } from './Store.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** The directory holding the logs (created if missing). One process per directory. */
  dir: string;
  /** Compact a log once it is this many times its live size (default 4). */
  compactRatio?: number;
  /** Logs smaller than this are never compacted while open, bytes (default 1 MiB). */
  compactMinBytes?: number;
  /** fsync after every write batch, so a power loss keeps acknowledged writes (default false). */
  fsync?: boolean;
}

/** One live key: its JSON text, the log it lives in and the bytes its line takes there. */
interface Live {
  json: string;
  shard: string;
  bytes: number;
}

interface Shard {
  fd: FileHandle | undefined;
  logBytes: number;
  liveBytes: number;
}

type Write =
  | { kind: 'set'; key: string; json: string; onlyIfAbsent: boolean }
  | { kind: 'delete'; key: string };
type Op = Write & { done: (wrote: boolean) => void; fail: (error: unknown) => void };

const EXT = '.jsonl';
const SAFE_SHARD = /^[A-Za-z0-9_=-][A-Za-z0-9_.=-]{0,63}$/;

/**
 * A {@link Store} in a directory of JSON-lines logs, one per first key segment (`runs/…` →
 * `runs.jsonl`, keys without `/` → `_root.jsonl`). Every write appends `{"k","v"}` or `{"k","d":1}`;
 * an in-memory index answers reads. Writes go through one queue in batches, which is what
 * makes `setIfAbsent` atomic within the process. A log is rewritten (temp file, then rename) on
 * open when it holds dead lines, and while open when it grows past `compactRatio` × its live size.
 * A torn last line from a crash is dropped on open. Not safe for two processes on one directory.
 * @example
 * await using store = await FileStore.open({ dir: '.troupe/store' });
 * await store.set('runs/r1/t1', { ok: true });
 */
export class FileStore implements Store, AsyncDisposable {
  readonly dir: string;
  readonly #ratio: number;
  readonly #minBytes: number;
  readonly #fsync: boolean;
  readonly #index = new Map<string, Live>();
  readonly #shards = new Map<string, Shard>();
  readonly #ready: Promise<void>;
  #queue: Op[] = [];
  #flushing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.#ratio = options.compactRatio ?? 4;
    this.#minBytes = options.compactMinBytes ?? 1024 * 1024;
    this.#fsync = options.fsync ?? false;
    this.#ready = this.#load();
    // Callers see a load failure on their first operation; it must not surface as unhandled.
    this.#ready.catch(() => {});
  }

  /** Opens (creating if needed) a store directory and waits until its logs are loaded. */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    const store = new FileStore(options);
    await store.#ready;
    return store;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    await this.#open();
    const live = this.#index.get(key);
    return live === undefined ? undefined : (JSON.parse(live.json) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.#enqueue({ kind: 'set', key, json: JSON.stringify(value ?? null), onlyIfAbsent: false });
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    return this.#enqueue({ kind: 'set', key, json: JSON.stringify(value ?? null), onlyIfAbsent: true });
  }

  async delete(key: string): Promise<void> {
    await this.#enqueue({ kind: 'delete', key });
  }

  async keys(prefix = ''): Promise<string[]> {
    await this.#open();
    return [...this.#index.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Waits for queued writes, then closes the log files. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#ready.catch(() => {});
      // Writes accepted before close() was called may still be queued behind the current batch.
      while (this.#flushing) await this.#flushing;
      await Promise.all([...this.#shards.values()].map((s) => s.fd?.close()));
      this.#shards.clear();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #open(): Promise<void> {
    if (this.#closing) throw new ClosedError('file store is closed');
    await this.#ready;
  }

  async #enqueue(write: Write): Promise<boolean> {
    await this.#open();
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ ...write, done: resolve, fail: reject });
      this.#flushing ??= this.#drain();
    });
  }

  /** Commits queued writes batch by batch; a failed batch rejects its own ops only. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#commit(batch);
      } catch (err) {
        for (const op of batch) op.fail(err);
      }
    }
    this.#flushing = undefined;
  }

  /** Decides every op against the index (plus earlier ops of the batch), appends, then publishes. */
  async #commit(batch: Op[]): Promise<void> {
    const staged = new Map<string, Live | null>();
    const lines = new Map<string, string[]>();
    const outcomes: boolean[] = [];
    const current = (key: string) => (staged.has(key) ? staged.get(key) : this.#index.get(key));
    for (const op of batch) {
      const before = current(op.key);
      if (op.kind === 'set' && op.onlyIfAbsent && before) {
        outcomes.push(false);
        continue;
      }
      if (op.kind === 'delete' && !before) {
        outcomes.push(true);
        continue;
      }
      const line =
        op.kind === 'set'
          ? `{"k":${JSON.stringify(op.key)},"v":${op.json}}\n`
          : `{"k":${JSON.stringify(op.key)},"d":1}\n`;
      const shard = shardOf(op.key);
      const list = lines.get(shard) ?? [];
      lines.set(shard, list);
      list.push(line);
      staged.set(op.key, op.kind === 'set' ? { json: op.json, shard, bytes: byteLength(line) } : null);
      outcomes.push(true);
    }
    await Promise.all([...lines].map(([shard, list]) => this.#append(shard, list.join(''))));
    for (const [key, live] of staged) this.#apply(key, live);
    batch.forEach((op, i) => {
      op.done(outcomes[i] ?? false);
    });
    for (const [name, shard] of this.#shards) {
      if (shard.logBytes > this.#minBytes && shard.logBytes > this.#ratio * shard.liveBytes) {
        await this.#compact(name);
      }
    }
  }

  #apply(key: string, live: Live | null): void {
    const old = this.#index.get(key);
    if (old) this.#shard(old.shard).liveBytes -= old.bytes;
    if (live) {
      this.#index.set(key, live);
      this.#shard(live.shard).liveBytes += live.bytes;
    } else {
      this.#index.delete(key);
    }
  }

  #shard(name: string): Shard {
    const shard = this.#shards.get(name) ?? { fd: undefined, logBytes: 0, liveBytes: 0 };
    this.#shards.set(name, shard);
    return shard;
  }

  async #append(name: string, text: string): Promise<void> {
    const shard = this.#shard(name);
    shard.fd ??= await open(join(this.dir, name + EXT), 'a');
    await shard.fd.appendFile(text);
    if (this.#fsync) await shard.fd.sync();
    shard.logBytes += byteLength(text);
  }

  async #load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const files = (await readdir(this.dir)).filter((f) => f.endsWith(EXT));
    const dirty: string[] = [];
    for (const file of files) {
      const name = file.slice(0, -EXT.length);
      const text = await readFile(join(this.dir, file), 'utf8');
      const shard = this.#shard(name);
      shard.logBytes = byteLength(text);
      if (this.#replay(name, text)) dirty.push(name);
    }
    for (const [name, shard] of this.#shards) if (shard.logBytes !== shard.liveBytes) dirty.push(name);
    for (const name of new Set(dirty)) await this.#compact(name);
    // A crash between writing a temp file and renaming it leaves the temp file; the log is intact.
    await Promise.all(
      (await readdir(this.dir)).filter((f) => f.endsWith('.tmp')).map((f) => rm(join(this.dir, f))),
    );
  }

  /** Replays one log into the index; returns true when it had unreadable lines (a torn tail). */
  #replay(name: string, text: string): boolean {
    let torn = false;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let entry: { k?: unknown; v?: unknown; d?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        torn = true;
        continue;
      }
      if (typeof entry.k !== 'string') {
        torn = true;
        continue;
      }
      const bytes = byteLength(line) + 1;
      this.#apply(
        entry.k,
        entry.d === 1 ? null : { json: JSON.stringify(entry.v ?? null), shard: name, bytes },
      );
    }
    return torn;
  }

  /** Rewrites a log with only its live lines: temp file, fsync, rename over the old one. */
  async #compact(name: string): Promise<void> {
    const shard = this.#shard(name);
    const parts: string[] = [];
    for (const [key, live] of this.#index) {
      if (live.shard === name) parts.push(`{"k":${JSON.stringify(key)},"v":${live.json}}\n`);
    }
    const text = parts.join('');
    const file = join(this.dir, name + EXT);
    const tmp = `${file}.tmp`;
    const out = await open(tmp, 'w');
    try {
      await out.writeFile(text);
      await out.sync();
    } finally {
      await out.close();
    }
    await shard.fd?.close();
    shard.fd = undefined;
    if (text === '') {
      await rm(tmp);
      await rm(file, { force: true });
    } else {
      await rename(tmp, file);
    }
    shard.logBytes = byteLength(text);
    shard.liveBytes = shard.logBytes;
  }
}

/** The log a key lives in: its first path segment when that is a safe file name, else `_root`. */
function shardOf(key: string): string {
  const slash = key.indexOf('/');
  if (slash <= 0) return '_root';
  const head = key.slice(0, slash);
  return SAFE_SHARD.test(head) && head !== '_root' ? head : '_root';
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
