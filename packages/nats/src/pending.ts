import type { Envelope, RequestOptions } from '@troupe/core';
import type { HeaderBlock } from './HeaderBlock.js';
import type { KeyRoute } from './KeyRoute.js';

/** One request waiting for its reply (or, keyed, for its owner to be located). */
export interface Pending {
  readonly envelope: Envelope;
  readonly data: Uint8Array;
  /** Routing headers; their time left was measured at `at` (ms since the epoch). */
  headers: HeaderBlock;
  at: number;
  readonly tell: boolean;
  readonly options: RequestOptions;
  readonly token: string;
  /** Send order among the messages for its key (0 for un-keyed ones). */
  readonly seq: number;
  readonly expiresAt: number;
  /** Where it was published; undefined while it waits for its key's owner. */
  subject: string | undefined;
  /** The owner it was sent to directly, if any. */
  owner: string | undefined;
  /** Stops listening for the asker's abort. */
  off: (() => void) | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One locate request in flight. */
export interface Locate {
  readonly route: KeyRoute<Pending>;
  readonly subject: string;
  readonly expiresAt: number;
}
