import type { Store } from '@troupe/core';
import { ClosedError } from '@troupe/core';
import { SessionLostError } from '../errors.js';
import { killGroup, pidAlive, signalGroup } from '../internal/processGroup.js';
import { ended, type SessionRecord, writeRecord } from '../internal/records.js';
import { errorInfo, SessionCore } from '../internal/SessionCore.js';
import type { RunnerResult } from '../types.js';

/**
 * A process started by another (now gone) controller: its pipes died with that controller,
 * so there is no output and no exit code. It can be paused, resumed and cancelled, and it
 * ends `failed` with `RUNNER_SESSION_LOST` once the process is gone.
 */
export class OrphanSession extends SessionCore {
  readonly #record: SessionRecord;
  readonly #store: Store | undefined;
  readonly #pgid: number;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #grace: number;

  constructor(
    record: SessionRecord,
    store: Store | undefined,
    options: { pollMs: number; killGraceMs: number },
  ) {
    super(record.id);
    this.#record = record;
    this.#store = store;
    this.#pgid = record.pgid as number;
    this.#grace = options.killGraceMs;
    this.#timer = setInterval(() => {
      if (!pidAlive(record.pid as number)) this.#gone();
    }, options.pollMs);
    this.begin();
  }

  protected override async terminate(): Promise<void> {
    await killGroup(this.#pgid, { graceMs: this.#grace });
    this.#gone();
  }

  protected override doSend(): Promise<void> {
    return Promise.reject(new ClosedError(`session ${this.id}: input was lost with its controller`));
  }

  protected override doKey(): Promise<void> {
    return this.doSend();
  }

  protected override async doPause(): Promise<void> {
    signalGroup(this.#pgid, 'SIGSTOP');
  }

  protected override async doResume(): Promise<void> {
    signalGroup(this.#pgid, 'SIGCONT');
  }

  protected override persist(result: RunnerResult): Promise<void> {
    return writeRecord(this.#store, ended(this.#record, result));
  }

  #gone(): void {
    clearInterval(this.#timer);
    const lost = new SessionLostError(
      `session ${this.id}: process ${this.#record.pid} ended; its exit status is unknown`,
    );
    this.finish({ exitCode: null, status: 'failed', error: errorInfo(lost) });
  }
}
