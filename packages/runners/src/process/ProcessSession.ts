import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { type Store, ValidationError } from '@troupe/core';
import { LineDecoder } from '../internal/LineDecoder.js';
import { groupAlive, killGroup, signalGroup } from '../internal/processGroup.js';
import { ended, type SessionRecord, writeRecord } from '../internal/records.js';
import { SessionCore } from '../internal/SessionCore.js';
import { within } from '../internal/waiting.js';
import type { OutputLine, RunnerResult, StartOptions } from '../types.js';

/** What a named key does to a piped process. */
export type ProcessKey = { write: string } | { signal: NodeJS.Signals } | { endInput: true };

/** Keys every process session understands. */
export const PROCESS_KEYS: Readonly<Record<string, ProcessKey>> = {
  enter: { write: '\n' },
  tab: { write: '\t' },
  escape: { write: '\u001b' },
  interrupt: { signal: 'SIGINT' },
  'C-c': { signal: 'SIGINT' },
  quit: { endInput: true },
  eof: { endInput: true },
  'C-d': { endInput: true },
};

/** How a process session is wired (internal to the process runner). */
export interface ProcessWiring {
  child: ChildProcess;
  record: SessionRecord;
  store: Store | undefined;
  maxLineBytes: number | undefined;
  killGraceMs: number;
  keys: Readonly<Record<string, ProcessKey>>;
  onEnd: () => void;
}

/** Ms to wait for the output pipes to close after the process group is gone. */
const PIPE_CLOSE_MS = 2_000;

/** A child process in its own process group, read line by line. */
export class ProcessSession extends SessionCore {
  readonly #w: ProcessWiring;
  readonly #pgid: number;

  constructor(w: ProcessWiring, options: StartOptions) {
    super(w.record.id);
    this.#w = w;
    this.#pgid = w.record.pgid as number;
    // Write errors (EPIPE once the program is gone) reach the caller through the write callback.
    w.child.stdin?.on('error', () => {});
    w.child.on('error', () => {});
    const closed = Promise.all([this.#read(w.child.stdout, 'stdout'), this.#read(w.child.stderr, 'stderr')]);
    w.child.once('exit', (code, signal) => {
      this.#ended(code, signal, closed).catch((err: unknown) => {
        this.finish({ exitCode: code, error: { code: 'ERROR', message: String(err) } });
      });
    });
    this.begin(options);
  }

  protected override terminate(): Promise<void> {
    return killGroup(this.#pgid, { graceMs: this.#w.killGraceMs });
  }

  protected override async doSend(text: string): Promise<void> {
    const stdin = this.#w.child.stdin;
    if (!stdin || stdin.writableEnded) throw new ValidationError(`session ${this.id}: its input is closed`);
    await new Promise<void>((resolve, reject) => {
      stdin.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected override async doKey(name: string): Promise<void> {
    const key = this.#w.keys[name];
    if (key === undefined) {
      throw new ValidationError(`session ${this.id}: unknown key '${name}'`, {
        issues: [{ path: 'name', message: `one of ${Object.keys(this.#w.keys).join(', ')}` }],
      });
    }
    if ('write' in key) await this.doSend(key.write);
    else if ('signal' in key) signalGroup(this.#pgid, key.signal);
    else this.#w.child.stdin?.end();
  }

  protected override async doPause(): Promise<void> {
    signalGroup(this.#pgid, 'SIGSTOP');
  }

  protected override async doResume(): Promise<void> {
    signalGroup(this.#pgid, 'SIGCONT');
  }

  protected override persist(result: RunnerResult): Promise<void> {
    return writeRecord(this.#w.store, ended(this.#w.record, result));
  }

  #read(stream: Readable | null, name: OutputLine['stream']): Promise<void> {
    if (!stream) return Promise.resolve();
    const decoder = new LineDecoder({
      maxLineBytes: this.#w.maxLineBytes,
      onLine: (text, truncated) =>
        this.line(truncated ? { stream: name, text, truncated } : { stream: name, text }),
    });
    stream.on('data', (chunk: Buffer) => decoder.write(chunk));
    return new Promise((resolve) => {
      stream.once('close', () => {
        decoder.end();
        resolve();
      });
    });
  }

  async #ended(code: number | null, signal: NodeJS.Signals | null, closed: Promise<unknown>): Promise<void> {
    // The program is gone; whatever it left running in its group goes too, then the pipes close.
    if (groupAlive(this.#pgid)) await killGroup(this.#pgid, { graceMs: this.#w.killGraceMs });
    const drained = await within(closed, PIPE_CLOSE_MS);
    if (!drained) {
      // A process that left the group (setsid) still holds a pipe: stop reading rather than wait for it.
      this.#w.child.stdout?.destroy();
      this.#w.child.stderr?.destroy();
    }
    this.#w.child.stdin?.destroy();
    this.#w.onEnd();
    this.finish(signal ? { exitCode: code, signal } : { exitCode: code });
  }
}
