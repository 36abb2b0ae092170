import { newId, PayloadTooLargeError, type Store } from '@troupe/core';

/** Where a value went: JSON text for the row, or a reference into the blob store. */
export interface Spilled {
  text: string | null;
  ref: string | null;
}

/**
 * Keeps large values out of SQL rows: a value whose JSON is over the threshold is written to the
 * blob store under a fresh key and the row holds only that key.
 */
export class BlobSpill {
  readonly #blobs: Store | undefined;
  readonly #threshold: number;

  constructor(blobs: Store | undefined, thresholdBytes: number) {
    this.#blobs = blobs;
    this.#threshold = thresholdBytes;
  }

  /** Serializes `value`; over the threshold, writes it to the blob store (`blobs/<kind>/<id>`) first. */
  async put(kind: string, what: string, value: unknown): Promise<Spilled> {
    const text = JSON.stringify(value ?? null);
    // UTF-8 is at most 3 bytes per UTF-16 unit: skip the exact count when the text is clearly small.
    if (text.length * 3 <= this.#threshold) return { text, ref: null };
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= this.#threshold) return { text, ref: null };
    if (this.#blobs === undefined) {
      throw new PayloadTooLargeError(
        `${what} is ${bytes} bytes, over blobThresholdBytes (${this.#threshold}), and the SqlStore has no blob store: pass \`blobs\` (a directory or a Store)`,
        { data: { bytes, threshold: this.#threshold } },
      );
    }
    const ref = `blobs/${kind}/${newId()}`;
    await this.#blobs.set(ref, value ?? null);
    return { text: null, ref };
  }

  /** The value a row holds, following its blob reference when it has one. */
  async get<T>(text: string | null, ref: string | null): Promise<T | undefined> {
    if (ref !== null) {
      if (this.#blobs === undefined)
        throw new Error(`a row points at blob ${ref} but the SqlStore has no blob store`);
      return this.#blobs.get<T>(ref);
    }
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  /** Removes a blob no row points at any more (best effort: a failure leaves an orphan, not a loss). */
  async drop(ref: string | null | undefined): Promise<void> {
    if (ref === null || ref === undefined || this.#blobs === undefined) return;
    try {
      await this.#blobs.delete(ref);
    } catch {
      // An orphaned blob costs space only; the row that pointed at it is already gone or replaced.
    }
  }
}
