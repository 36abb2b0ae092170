import { ClosedError } from '@troupe/core';
import type { OutputLine, RunnerResult } from '../types.js';
import { SessionCore } from './SessionCore.js';

/** A session found again after it ended: replays the given lines, then its recorded result. */
export class FinishedSession extends SessionCore {
  constructor(id: string, result: RunnerResult, lines: readonly OutputLine[] = []) {
    super(id);
    for (const line of lines) this.line(line);
    this.finish(result);
  }

  protected override async terminate(): Promise<void> {}

  protected override doSend(): Promise<void> {
    return this.#ended();
  }

  protected override doKey(): Promise<void> {
    return this.#ended();
  }

  protected override doPause(): Promise<void> {
    return this.#ended();
  }

  protected override doResume(): Promise<void> {
    return this.#ended();
  }

  #ended(): Promise<void> {
    return Promise.reject(new ClosedError(`session ${this.id} has ended`));
  }
}
