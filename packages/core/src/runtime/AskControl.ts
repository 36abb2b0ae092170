import { CancelledError, TimeoutError, TroupeError } from '../errors/errors.js';
import { formatAddress } from '../messages/address.js';
import type { Envelope } from '../messages/envelope.js';
import type { DeliveryOptions, RequestOptions } from '../transport/Transport.js';
import type { Deadlines, Timed } from './Deadlines.js';
import { LazyAbort } from './LazyAbort.js';
import { onAbort } from './signals.js';

type Listener = (reason: unknown) => void;

/**
 * The life of one ask: its timeout, its links to the caller's and the parent
 * handler's signals, and the `AbortSignal` the handler sees — created only
 * when something reads it, since most asks finish without anyone looking.
 * (An AbortController per ask was ~18% of an in-process ask's time.)
 */
export class AskControl extends LazyAbort implements DeliveryOptions, RequestOptions, Timed {
  /** Milliseconds the asker waits. */
  timeout = 0;
  /** Set by an in-process host that will dispose this control when its delivery settles. */
  disposedOnSettle = false;
  /** The envelope being asked, for error messages. */
  envelope: Envelope | undefined;
  /** @internal see {@link Timed} */
  deadlineSlot = -1;
  /** @internal see {@link Timed} */
  deadlineAt = 0;
  #listener: Listener | undefined;
  #listeners: Set<Listener> | undefined;
  #deadlines: Deadlines | undefined;
  /** The in-process delivery of this ask, answered first on abort. */
  #delivery: AbortedAsk | undefined;
  #unlinks: Array<() => void> | undefined;
  #asker: { asking: number } | undefined;

  /**
   * Aborts with a `TimeoutError` at `deadline` (ms since the epoch; `Infinity`: never), unless
   * settled first; `now` is the current time. One timer serves every ask of `deadlines`.
   */
  timeoutAt(deadline: number, now: number, deadlines: Deadlines): void {
    this.timeout = deadline - now;
    if (deadline === Number.POSITIVE_INFINITY) return;
    this.#deadlines = deadlines;
    deadlines.add(this, deadline, now);
  }

  /** @internal The deadline passed (called by the scheduler). */
  onDeadline(): void {
    const env = this.envelope as Envelope;
    const message = `ask '${env.type}' to ${formatAddress(env.to)} timed out after ${this.timeout} ms`;
    this.abort(new TimeoutError(message, { data: { type: env.type, to: env.to, timeout: this.timeout } }));
  }

  /** An ask always expects a reply. */
  get expectsReply(): true {
    return true;
  }

  /**
   * Hands this ask to an in-process delivery: an abort answers it at once (even while its handler
   * still runs), and the delivery disposes of this control when it settles.
   */
  deliverTo(delivery: AbortedAsk): void {
    this.disposedOnSettle = true;
    this.#delivery = delivery;
  }

  /** Counts this ask in `asker.asking` (its handler waits on it) until the ask settles. */
  countIn(asker: { asking: number }): void {
    asker.asking++;
    this.#asker = asker;
  }

  /** Aborts when `parent` aborts, without creating signals on either side; released on dispose. */
  follow(parent: AskControl): void {
    this.#addUnlink(parent.onAbort((reason) => this.abort(reason)));
  }

  /** Aborts when `signal` aborts (the reason becomes a `CancelledError` unless it is a Troupe error). */
  link(signal: AbortSignal): void {
    this.#addUnlink(onAbort(signal, () => this.abort(asCancellation(signal.reason))));
  }

  /** Calls `listener` on abort (at once if already aborted); returns the unsubscribe. */
  onAbort(listener: Listener): () => void {
    if (this.aborted) {
      listener(this.reason);
      return noop;
    }
    if (!this.#listener) {
      this.#listener = listener;
      return () => {
        if (this.#listener === listener) this.#listener = undefined;
      };
    }
    this.#listeners ??= new Set();
    const listeners = this.#listeners;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  override abort(reason: unknown): boolean {
    if (!super.abort(reason)) return false;
    this.#delivery?.abortedAsk(reason);
    this.#listener?.(reason);
    if (this.#listeners) for (const l of this.#listeners) l(reason);
    this.dispose();
    return true;
  }

  #addUnlink(off: () => void): void {
    this.#unlinks ??= [];
    this.#unlinks.push(off);
  }

  /** Releases the timer and links (after the ask settled). */
  dispose(): void {
    if (this.#asker) {
      this.#asker.asking--;
      this.#asker = undefined;
    }
    if (this.deadlineSlot >= 0) this.#deadlines?.remove(this);
    if (this.#unlinks) {
      for (const off of this.#unlinks) off();
      this.#unlinks = undefined;
    }
  }
}

/** What an in-process delivery does when its ask is aborted (see {@link AskControl.deliverTo}). */
export interface AbortedAsk {
  abortedAsk(reason: unknown): void;
}

function noop(): void {}

/**
 * An abort reason as a Troupe error: Troupe errors pass through, anything else
 * becomes a `CancelledError` keeping the reason's message (or the reason itself, as text) and the reason as `cause`.
 */
export function asCancellation(reason: unknown): Error {
  if (reason instanceof TroupeError) return reason;
  return new CancelledError(reason instanceof Error ? reason.message : String(reason ?? 'aborted'), {
    cause: reason,
  });
}
