import { raceAbort } from './signals.js';

/**
 * The pause gate of a run: combinators pass it before starting a step, so
 * while it is closed nothing new starts. One shared promise serves every waiter.
 */
export class Gate {
  #closed: Promise<void> | undefined;
  #open: (() => void) | undefined;

  /** Whether the gate is closed (the run is paused). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Closes the gate; returns false if it was closed already. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = new Promise((resolve) => {
      this.#open = resolve;
    });
    return true;
  }

  /** Opens the gate, releasing every waiter; returns false if it was open. */
  open(): boolean {
    if (!this.#closed) return false;
    this.#open?.();
    this.#closed = undefined;
    this.#open = undefined;
    return true;
  }

  /** Resolves once the gate is open; rejects with the signal's reason if it aborts first. */
  pass(signal?: AbortSignal): Promise<void> {
    const closed = this.#closed;
    if (!closed) return Promise.resolve();
    return signal ? raceAbort(closed, signal) : closed;
  }
}
