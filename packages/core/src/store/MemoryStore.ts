import type { Store } from './Store.js';

/** A {@link Store} in memory; values are deep-copied (JSON) so callers cannot alias them. */
export class MemoryStore implements Store {
  readonly #data = new Map<string, string>();

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const raw = this.#data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.#data.set(key, JSON.stringify(value ?? null));
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    if (this.#data.has(key)) return false;
    this.#data.set(key, JSON.stringify(value ?? null));
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#data.delete(key);
  }

  async keys(prefix = ''): Promise<string[]> {
    return [...this.#data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async close(): Promise<void> {}
}
