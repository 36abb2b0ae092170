import { type FSWatcher, watch } from 'node:fs';
import { open } from 'node:fs/promises';

const CHUNK = 256 * 1024;

/**
 * Follows a growing file from a byte offset: every byte is handed over exactly once, in order,
 * whenever the file changes (fs.watch) and every `pollMs` as a fallback. Reads go by offset,
 * so a late or missed wake-up delays bytes but never loses them.
 */
export class FileTail {
  readonly #path: string;
  readonly #onData: (chunk: Buffer) => void;
  readonly #pollMs: number;
  #offset: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #watcher: FSWatcher | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(
    path: string,
    onData: (chunk: Buffer) => void,
    options: { pollMs?: number; offset?: number } = {},
  ) {
    this.#path = path;
    this.#onData = onData;
    this.#pollMs = options.pollMs ?? 200;
    this.#offset = options.offset ?? 0;
  }

  /** Bytes handed over so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Starts following. */
  start(): void {
    try {
      this.#watcher = watch(this.#path, { persistent: false }, () => this.#kick());
      this.#watcher.on('error', () => {});
    } catch {
      // No file yet (or no watch support): polling alone still delivers everything.
    }
    this.#timer = setInterval(() => this.#kick(), this.#pollMs);
    this.#timer.unref();
    this.#kick();
  }

  /** Reads whatever the file holds now, up to its end. */
  async drain(): Promise<void> {
    for (;;) {
      const reading = this.#reading;
      if (reading) await reading;
      else {
        this.#kick();
        await this.#reading;
        return;
      }
    }
  }

  /** Stops following (a read in progress still completes). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#watcher?.close();
  }

  #kick(): void {
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = this.#readToEnd()
      .catch(() => {})
      .finally(() => {
        this.#reading = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  async #readToEnd(): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.#path, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, this.#offset);
        if (bytesRead === 0) return;
        this.#offset += bytesRead;
        this.#onData(Buffer.from(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }
}
