/**
 * Key/value persistence for run checkpoints, task results and passivated
 * agent state. Keys are `/`-separated paths of `[A-Za-z0-9_.=:-]` tokens;
 * values are JSON-serializable.
 */
export interface Store {
  /** The value at `key`, or `undefined`. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Writes `value` at `key`. */
  set(key: string, value: unknown): Promise<void>;
  /** Writes `value` only if `key` is absent; resolves to whether it wrote (atomic). */
  setIfAbsent(key: string, value: unknown): Promise<boolean>;
  /** Removes `key` (no error when absent). */
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, sorted. */
  keys(prefix?: string): Promise<string[]>;
  /** Releases resources. Idempotent. */
  close(): Promise<void>;
}
