import { CancelledError, TroupeError } from '../errors/errors.js';
import type { Envelope } from '../messages/envelope.js';
import type { DeliveryOptions, RequestOptions } from '../transport/Transport.js';
import { LazyAbort } from './LazyAbort.js';
import { onAbort } from './signals.js';
import { longTimeout, MAX_TIMER_MS } from './timeouts.js';

type Listener = (reason: unknown) => void;

/**
 * The life of one ask: its timeout, its links to the caller's and the parent
 * handler's signals, and the `AbortSignal` the handler sees — created only
 * when something reads it, since most asks finish without anyone looking.
 * (An AbortController per ask was ~18% of an in-process ask's time.)
 */
export class AskControl extends LazyAbort implements DeliveryOptions, RequestOptions {
  readonly expectsReply = true;
  /** Milliseconds the asker waits. */
  timeout = 0;
  /** Set by an in-process host that will dispose this control when its delivery settles. */
  disposedOnSettle = false;
  /** The envelope being asked, for error messages. */
  envelope: Envelope | undefined;
  #listener: Listener | undefined;
  #listeners: Set<Listener> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #cancelLong: (() => void) | undefined;
  #unlinks: Array<() => void> | undefined;
  #asker: { asking: number } | undefined;

  /** Aborts with `reason` after `ms` (`Infinity`: never; past 24.8 days: timers chained), unless settled first. */
  timeoutAfter(ms: number, reason: (control: AskControl) => unknown): void {
    this.timeout = ms;
    if (ms <= MAX_TIMER_MS) this.#timer = setTimeout(fireTimeout, ms, this, reason);
    else this.#cancelLong = longTimeout((c: AskControl) => fireTimeout(c, reason), ms, this);
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
    this.#cancelLong?.();
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#unlinks) {
      for (const off of this.#unlinks) off();
      this.#unlinks = undefined;
    }
  }
}

function noop(): void {}

function fireTimeout(control: AskControl, reason: (control: AskControl) => unknown): void {
  control.abort(reason(control));
}

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
