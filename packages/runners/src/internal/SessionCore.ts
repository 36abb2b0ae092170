import {
  asCancellation,
  CancelledError,
  ClosedError,
  createLogger,
  onAbort,
  type ProgressInput,
  TimeoutError,
} from '@troupe/core';
import { type Observable, ReplaySubject } from 'rxjs';
import type {
  FinalStatus,
  OutputLine,
  RunnerErrorInfo,
  RunnerResult,
  RunnerSession,
  RunnerStatus,
  StartOptions,
  WaitOptions,
} from '../types.js';
import { bounded } from './waiting.js';

/** Output lines replayed to late subscribers. */
export const OUTPUT_REPLAY = 256;
/** Progress events replayed to late subscribers. */
export const EVENTS_REPLAY = 1024;

const log = createLogger({ name: 'runners' });

/** What a program's end looked like, before cancel/timeout requests are taken into account. */
export type Ending = Omit<RunnerResult, 'status' | 'artifacts'> & {
  status?: FinalStatus;
  artifacts?: string[];
};

/** An error as the JSON-safe `{ code, message }` a result carries. */
export function errorInfo(error: Error): RunnerErrorInfo {
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'ERROR', message: error.message };
}

/**
 * The parts every session shares: status, replayed output and progress subjects, the result
 * promise, timeout and signal handling, and cancel → terminate → finish. A subclass starts its
 * program, calls {@link begin}, feeds {@link line}/{@link emit}, and calls {@link finish} exactly
 * when the program (and everything it started) is gone.
 */
export abstract class SessionCore implements RunnerSession {
  readonly id: string;
  readonly output$: Observable<OutputLine>;
  readonly events$: Observable<ProgressInput>;
  protected readonly startedAt = Date.now();
  readonly #lines = new ReplaySubject<OutputLine>(OUTPUT_REPLAY);
  readonly #events = new ReplaySubject<ProgressInput>(EVENTS_REPLAY);
  readonly #done: Promise<RunnerResult>;
  #resolve: (result: RunnerResult) => void = () => {};
  #reject: (error: Error) => void = () => {};
  #detached = false;
  #status: RunnerStatus = 'starting';
  #stop: { status: 'cancelled' | 'timed_out'; error: RunnerErrorInfo } | undefined;
  #stopping: Promise<void> | undefined;
  #result: RunnerResult | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unlink: (() => void) | undefined;

  constructor(id: string) {
    this.id = id;
    this.output$ = this.#lines.asObservable();
    this.events$ = this.#events.asObservable();
    this.#done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A detached session rejects its waits; nobody waiting must not make that an unhandled rejection.
    this.#done.catch(() => {});
  }

  status(): RunnerStatus {
    return this.#status;
  }

  /** The final result once known (finished sessions found by reattach start with it). */
  protected get result(): RunnerResult | undefined {
    return this.#result;
  }

  /** Whether a cancel or timeout was requested. */
  protected get stopping(): boolean {
    return this.#stop !== undefined;
  }

  /** Marks the program running and arms `timeout` and `signal` (measured from the session's start). */
  protected begin(options: Pick<StartOptions, 'timeout' | 'signal'> = {}): void {
    if (this.#status === 'starting') this.#status = 'running';
    const { timeout, signal } = options;
    if (timeout !== undefined) {
      const left = Math.max(0, this.startedAt + timeout - Date.now());
      this.#timer = setTimeout(() => {
        void this.#requestStop(
          'timed_out',
          new TimeoutError(`session ${this.id} timed out after ${timeout} ms`),
        );
      }, left);
    }
    if (signal) {
      this.#unlink = onAbort(signal, () => {
        void this.#requestStop('cancelled', asCancellation(signal.reason));
      });
    }
  }

  /** Publishes one output line. */
  protected line(line: OutputLine): void {
    if (!this.#result) this.#lines.next(line);
  }

  /** Publishes one progress event. */
  protected emit(event: ProgressInput): void {
    if (!this.#result) this.#events.next(event);
  }

  send(text: string, options?: WaitOptions): Promise<void> {
    return bounded(
      this.#whileLive('send', () => this.doSend(text)),
      options,
      'send',
    );
  }

  key(name: string, options?: WaitOptions): Promise<void> {
    return bounded(
      this.#whileLive('key', () => this.doKey(name)),
      options,
      'key',
    );
  }

  async pause(options?: WaitOptions): Promise<void> {
    if (this.#status === 'paused') return;
    await bounded(
      this.#whileLive('pause', () => this.doPause()),
      options,
      'pause',
    );
    if (this.#result) return;
    this.#status = 'paused';
    this.emit({ kind: 'task.paused' });
  }

  async resume(options?: WaitOptions): Promise<void> {
    if (this.#status !== 'paused') return;
    await bounded(
      this.#whileLive('resume', () => this.doResume()),
      options,
      'resume',
    );
    if (this.#result) return;
    this.#status = 'running';
    this.emit({ kind: 'task.resumed' });
  }

  cancel(reason = 'cancelled', options?: WaitOptions): Promise<void> {
    return bounded(this.#requestStop('cancelled', new CancelledError(reason)), options, 'cancel');
  }

  wait(options?: WaitOptions): Promise<RunnerResult> {
    return bounded(this.#done, options, `waiting for session ${this.id}`);
  }

  /**
   * Stops following a session that goes on without us (its runner closed): streams complete,
   * waits reject with `ClosedError`; reattach to follow it again.
   */
  detach(): void {
    if (this.#result || this.#detached) return;
    this.#detached = true;
    this.#reject(new ClosedError(`stopped following session ${this.id}; reattach to follow it again`));
    this.#disarm();
    this.#lines.complete();
    this.#events.complete();
    this.onDetach();
  }

  /** Releases what following the session took (default: nothing). */
  protected onDetach(): void {}

  /**
   * Ends the session once its program is gone: a requested cancel/timeout decides the status,
   * else `ending.status`, else the exit code (0 → completed). Idempotent.
   */
  protected finish(ending: Ending): RunnerResult {
    if (this.#result) return this.#result;
    const stop = this.#stop;
    const status: FinalStatus =
      stop?.status ?? ending.status ?? (ending.exitCode === 0 ? 'completed' : 'failed');
    const result: RunnerResult = { ...ending, status, artifacts: ending.artifacts ?? [] };
    if (stop) result.error = stop.error;
    else if (status !== 'completed' && result.error === undefined) {
      result.error = {
        code: 'RUNNER_RUN_FAILED',
        message: ending.signal ? `killed by ${ending.signal}` : `exited with code ${ending.exitCode}`,
      };
    } else if (status === 'completed') delete result.error;
    if (result.durationMs === undefined) result.durationMs = Date.now() - this.startedAt;
    this.#result = result;
    this.#status = status;
    this.#disarm();
    this.#lines.complete();
    this.#events.complete();
    this.persist(result).then(
      () => this.#resolve(result),
      (err: unknown) => {
        log.warn(`could not record the end of session ${this.id}`, { error: String(err) });
        this.#resolve(result);
      },
    );
    return result;
  }

  /** Records the final result where other processes can find it (default: nowhere). */
  protected persist(_result: RunnerResult): Promise<void> {
    return Promise.resolve();
  }

  /** Stops the program and everything it started; must lead to {@link finish}. */
  protected abstract terminate(): Promise<void>;
  protected abstract doSend(text: string): Promise<void>;
  protected abstract doKey(name: string): Promise<void>;
  protected abstract doPause(): Promise<void>;
  protected abstract doResume(): Promise<void>;

  async #whileLive(what: string, act: () => Promise<void>): Promise<void> {
    if (this.#result || this.#stop) throw new ClosedError(`session ${this.id} has ended; cannot ${what}`);
    await act();
  }

  #requestStop(status: 'cancelled' | 'timed_out', error: Error): Promise<void> {
    if (this.#result) return Promise.resolve();
    if (!this.#stop) {
      this.#stop = { status, error: errorInfo(error) };
      this.#disarm();
      this.#stopping = this.terminate().catch((err: unknown) => {
        log.warn(`stopping session ${this.id} failed`, { error: String(err) });
        this.finish({
          exitCode: null,
          error: errorInfo(err instanceof Error ? err : new Error(String(err))),
        });
      });
    }
    return (this.#stopping ?? Promise.resolve()).then(() => this.#done.then(() => {}));
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unlink?.();
    this.#unlink = undefined;
  }
}
