import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClosedError, type Store, ValidationError } from '@troupe/core';

/** Options of {@link FileBlobStore}. */
export interface FileBlobStoreOptions {
  /** The directory holding one file per key (created if missing). */
  dir: string;
}

/**
 * A {@link Store} keeping each value in a file of its own (`<dir>/<encoded key>.json`), written to a
 * temp file and renamed, so several processes can share the directory and nothing is held in memory.
 * Meant for large values that {@link SqlStore} keeps out of its rows; core's `FileStore` suits many
 * small values in one process better.
 */
export class FileBlobStore implements Store {
  readonly dir: string;
  readonly #ready: Promise<unknown>;
  #closed = false;

  constructor(options: FileBlobStoreOptions) {
    this.dir = options.dir;
    this.#ready = mkdir(this.dir, { recursive: true });
    this.#ready.catch(() => {});
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const file = await this.#file(key);
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    const file = await this.#file(key);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(value ?? null));
    await rename(tmp, file);
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    const file = await this.#file(key);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(value ?? null));
    try {
      // link() fails when the name exists, atomically, and readers only ever see a complete file.
      await link(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(await this.#file(key), { force: true });
  }

  async keys(prefix = ''): Promise<string[]> {
    await this.#open();
    const names = await readdir(this.dir);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => decodeURIComponent(n.slice(0, -'.json'.length)))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  /** Marks the store closed (there is nothing to release). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  async #open(): Promise<void> {
    if (this.#closed) throw new ClosedError('file blob store is closed');
    await this.#ready;
  }

  async #file(key: string): Promise<string> {
    await this.#open();
    // encodeURIComponent leaves `.`: escape it so no key becomes `.`, `..` or a hidden file.
    const name = encodeURIComponent(key).replace(/\./g, '%2E');
    if (name.length > 240) {
      throw new ValidationError(
        `blob key is too long for a file name (${name.length} > 240 encoded characters)`,
        {
          issues: [{ path: 'key', message: 'too long' }],
        },
      );
    }
    return join(this.dir, `${name}.json`);
  }
}
