/** Named one-shot latches a test opens to let a gated sub-task finish. */
export class Latches {
  readonly #open = new Map<string, () => void>();
  readonly #waits = new Map<string, Promise<void>>();

  #entry(key: string): Promise<void> {
    let wait = this.#waits.get(key);
    if (wait === undefined) {
      wait = new Promise<void>((resolve) => this.#open.set(key, resolve));
      this.#waits.set(key, wait);
    }
    return wait;
  }

  /** Resolves once `key` is released; rejects with the signal's reason when it aborts first. */
  wait(key: string, signal: AbortSignal): Promise<void> {
    const wait = this.#entry(key);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void wait.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  release(key: string): void {
    void this.#entry(key);
    this.#open.get(key)?.();
  }
}
