import type { ProgressInput, Store } from '@troupe/core';
import { type Observable, ReplaySubject } from 'rxjs';
import { writeRecord } from '../internal/records.js';
import { EVENTS_REPLAY } from '../internal/SessionCore.js';
import { bounded } from '../internal/waiting.js';
import type { OutputLine, RunnerResult, RunnerSession, RunnerStatus, WaitOptions } from '../types.js';
import { clip, type ParsedOutcome, type StreamParser } from './StreamParser.js';

/** How a CLI session is wired (internal to the CLI runners). */
export interface CliWiring {
  kind: string;
  store: Store | undefined;
  parser: StreamParser;
  /** How `send(text)` reaches the program (default: as typed). */
  encodeInput: ((text: string) => string) | undefined;
}

/**
 * A coding CLI running under another runner's session: its output lines are parsed into
 * progress, and its result combines the process's end with what the CLI reported.
 */
export class CliSession implements RunnerSession {
  readonly id: string;
  readonly output$: Observable<OutputLine>;
  readonly events$: Observable<ProgressInput>;
  readonly #inner: RunnerSession;
  readonly #w: CliWiring;
  readonly #events = new ReplaySubject<ProgressInput>(EVENTS_REPLAY);
  readonly #final: Promise<RunnerResult>;

  constructor(inner: RunnerSession, w: CliWiring) {
    this.id = inner.id;
    this.#inner = inner;
    this.#w = w;
    this.output$ = inner.output$;
    this.events$ = this.#events.asObservable();
    let open = 2;
    const closed = (): void => {
      if (--open === 0) this.#events.complete();
    };
    inner.output$.subscribe({
      next: (line) => {
        for (const event of this.#parse(line)) this.#events.next(event);
      },
      complete: closed,
      error: closed,
    });
    inner.events$.subscribe({ next: (event) => this.#events.next(event), complete: closed, error: closed });
    const startedAt = Date.now();
    this.#final = inner.wait().then(async (result) => {
      const combined = combine(result, w.parser.outcome());
      await writeRecord(w.store, {
        kind: w.kind,
        id: this.id,
        status: combined.status,
        startedAt,
        result: combined,
      });
      return combined;
    });
    // Waiters see a detach; nobody waiting must not make it an unhandled rejection.
    this.#final.catch(() => {});
  }

  status(): RunnerStatus {
    return this.#inner.status();
  }

  send(text: string, options?: WaitOptions): Promise<void> {
    return this.#inner.send(this.#w.encodeInput ? this.#w.encodeInput(text) : text, options);
  }

  key(name: string, options?: WaitOptions): Promise<void> {
    return this.#inner.key(name, options);
  }

  pause(options?: WaitOptions): Promise<void> {
    return this.#inner.pause(options);
  }

  resume(options?: WaitOptions): Promise<void> {
    return this.#inner.resume(options);
  }

  cancel(reason?: string, options?: WaitOptions): Promise<void> {
    return this.#inner.cancel(reason, options);
  }

  wait(options?: WaitOptions): Promise<RunnerResult> {
    return bounded(this.#final, options, `waiting for session ${this.id}`);
  }

  #parse(line: OutputLine): ProgressInput[] {
    if (line.stream === 'stderr') {
      const text = line.text.trim();
      return text === ''
        ? []
        : [{ kind: 'task.log', level: 'warn', message: clip(`${this.#w.kind} stderr: ${text}`) }];
    }
    return this.#w.parser.parse(line.text);
  }
}

/**
 * The process's end and the CLI's report, together: a clean exit with a reported failure is a
 * failure, and a failed exit keeps the CLI's own error when it gave one.
 */
export function combine(result: RunnerResult, outcome: ParsedOutcome): RunnerResult {
  const out: RunnerResult = { ...result };
  const artifacts = [...new Set([...result.artifacts, ...outcome.artifacts])];
  out.artifacts = artifacts;
  if (outcome.result !== undefined) out.result = outcome.result;
  if (outcome.sessionId !== undefined) out.sessionId = outcome.sessionId;
  if (outcome.usage !== undefined) out.usage = outcome.usage;
  if (outcome.costUsd !== undefined) out.costUsd = outcome.costUsd;
  if (outcome.error !== undefined && (result.status === 'completed' || result.status === 'failed')) {
    out.status = 'failed';
    out.error = outcome.error;
  }
  return out;
}
