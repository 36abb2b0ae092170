import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Store } from '@troupe/core';
import { SessionLostError } from '../errors.js';
import { FileTail } from '../internal/FileTail.js';
import { FinishedSession } from '../internal/FinishedSession.js';
import { LineDecoder } from '../internal/LineDecoder.js';
import { groupMembers, killGroup, signalGroup } from '../internal/processGroup.js';
import { ended, type SessionRecord, writeRecord } from '../internal/records.js';
import { errorInfo, SessionCore } from '../internal/SessionCore.js';
import { pollUntil } from '../internal/waiting.js';
import type { OutputLine, RunnerResult, RunnerSession, StartOptions } from '../types.js';
import { resolveKey, type TmuxKey } from './keys.js';
import type { PaneInfo, TmuxWatcher } from './TmuxWatcher.js';
import { chunks, type Tmux, tmuxArg } from './tmuxCli.js';

/** A session running in tmux: also shows the current screen. */
export interface TmuxSession extends RunnerSession {
  /** The tmux session name (`tmux -L <socket> attach -t <name>` to watch it by hand). */
  readonly name: string;
  /** The file `pipe-pane` writes the complete output to. */
  readonly logFile: string;
  /** The pane's current screen as text (`capture-pane`), lines joined where tmux wrapped them. */
  screen(): Promise<string>;
}

/** How a tmux session is wired (internal to the tmux runner). */
export interface TmuxWiring {
  tmux: Tmux;
  watcher: TmuxWatcher;
  record: SessionRecord & { tmux: NonNullable<SessionRecord['tmux']> };
  store: Store | undefined;
  maxLineBytes: number | undefined;
  tailPollMs: number;
  keys: Readonly<Record<string, TmuxKey>>;
  pauseWith: 'signal' | 'keys';
  killGraceMs: number;
  onEnd: () => void;
}

/** Longest piece of text one `send-keys -l` gets (argv limits are far above it). */
const SEND_CHUNK = 4096;
/** Ms to wait for `pipe-pane`'s writer to finish after the session is gone. */
const PIPE_EOF_MS = 3_000;

export class TmuxPaneSession extends SessionCore implements TmuxSession {
  readonly name: string;
  readonly logFile: string;
  readonly #w: TmuxWiring;
  readonly #decoder: LineDecoder;
  readonly #tail: FileTail;
  readonly #unwatch: () => void;
  #pane: PaneInfo | undefined;
  #ending: Promise<void> | undefined;

  constructor(w: TmuxWiring, options: StartOptions) {
    super(w.record.id);
    this.#w = w;
    this.name = w.record.tmux.name;
    this.logFile = w.record.tmux.logFile;
    if (w.record.pid !== undefined)
      this.#pane = { dead: false, status: undefined, signal: undefined, pid: w.record.pid };
    this.#decoder = new LineDecoder({
      maxLineBytes: w.maxLineBytes,
      onLine: (text, truncated) =>
        this.line(truncated ? { stream: 'pty', text, truncated } : { stream: 'pty', text }),
    });
    // From offset 0: a session found again by reattach replays its complete history.
    this.#tail = new FileTail(this.logFile, (chunk) => this.#decoder.write(chunk), { pollMs: w.tailPollMs });
    this.#tail.start();
    this.#unwatch = w.watcher.watch(this.name, (pane) => this.#observe(pane));
    this.begin(options);
  }

  async screen(): Promise<string> {
    return this.#w.tmux.run(['capture-pane', '-p', '-J', '-t', `=${this.name}:`]);
  }

  protected override async terminate(): Promise<void> {
    // kill-session only sends SIGHUP: stop the whole process group first, TERM then KILL.
    const pid = this.#pane?.pid;
    if (pid !== undefined && !this.#pane?.dead) await killGroup(pid, { graceMs: this.#w.killGraceMs });
    await this.#end(this.#pane ? { ...this.#pane, dead: true } : undefined);
  }

  protected override async doSend(text: string): Promise<void> {
    const target = `=${this.name}:`;
    for (const piece of chunks(text, SEND_CHUNK)) {
      await this.#w.tmux.run(['send-keys', '-t', target, '-l', '--', tmuxArg(piece)]);
    }
    await this.#w.tmux.run(['send-keys', '-t', target, 'Enter']);
  }

  protected override async doKey(name: string): Promise<void> {
    const key = resolveKey(name, this.#w.keys);
    if ('text' in key) await this.doSend(key.text);
    else await this.#w.tmux.run(['send-keys', '-t', `=${this.name}:`, ...key.keys.map(tmuxArg)]);
  }

  protected override async doPause(): Promise<void> {
    if (this.#w.pauseWith === 'keys') await this.doKey('pause');
    else if (this.#pane) {
      // Not the launcher: tmux sends SIGCONT to a pane whose own process stops. Its children stop.
      const leader = this.#pane.pid;
      for (const pid of groupMembers(leader)) if (pid !== leader) stop(pid);
    }
  }

  protected override async doResume(): Promise<void> {
    if (this.#w.pauseWith === 'keys') await this.doKey('resume');
    else if (this.#pane) signalGroup(this.#pane.pid, 'SIGCONT');
  }

  protected override persist(result: RunnerResult): Promise<void> {
    return writeRecord(this.#w.store, ended(this.#w.record, result));
  }

  protected override onDetach(): void {
    this.#unwatch();
    this.#tail.stop();
  }

  #observe(pane: PaneInfo | undefined): void {
    if (pane) this.#pane = pane;
    if (pane === undefined || pane.dead) void this.#end(pane);
  }

  /** The pane died (or the session vanished): collect the last output, remove the session, finish. */
  #end(pane: PaneInfo | undefined): Promise<void> {
    this.#ending ??= this.#collect(pane).catch((err: unknown) => {
      this.finish({ exitCode: null, error: errorInfo(err instanceof Error ? err : new Error(String(err))) });
    });
    return this.#ending;
  }

  async #collect(pane: PaneInfo | undefined): Promise<void> {
    this.#unwatch();
    const w = this.#w;
    // Killing the session closes pipe-pane's writer; it marks the log complete once it has flushed.
    const out = await w.tmux.exec(['kill-session', '-t', `=${this.name}`]);
    if (out.code !== 0 && (await w.tmux.exec(['has-session', '-t', `=${this.name}`])).code === 0) {
      throw new Error(`kill-session failed: ${out.stderr.trim()}`);
    }
    await pollUntil(() => existsSync(`${this.logFile}.eof`), { intervalMs: 20, timeoutMs: PIPE_EOF_MS });
    await this.#tail.drain();
    this.#tail.stop();
    this.#decoder.end();
    w.onEnd();
    // The launcher records the exit status itself: tmux 3.3 sometimes reports a dead pane without one.
    const status = readExitFile(`${this.logFile}.exit`) ?? pane?.status;
    if (status !== undefined) this.finish({ exitCode: status });
    else if (pane === undefined && !this.stopping) {
      const lost = new SessionLostError(`tmux session ${this.name} disappeared; its exit status is unknown`);
      this.finish({ exitCode: null, status: 'failed', error: errorInfo(lost) });
    } else
      this.finish(
        pane?.signal === undefined ? { exitCode: null } : { exitCode: null, signal: signalName(pane.signal) },
      );
  }
}

/** A tmux session found after it ended: its log replayed, its recorded result. */
export class FinishedTmuxSession extends FinishedSession implements TmuxSession {
  readonly name: string;
  readonly logFile: string;

  constructor(
    record: { id: string; name: string; logFile: string; result: RunnerResult },
    lines: OutputLine[],
  ) {
    super(record.id, record.result, lines);
    this.name = record.name;
    this.logFile = record.logFile;
  }

  /** The session is gone, so there is no screen: empty. */
  async screen(): Promise<string> {
    return '';
  }
}

function stop(pid: number): void {
  try {
    process.kill(pid, 'SIGSTOP');
  } catch {
    // Gone meanwhile.
  }
}

function readExitFile(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, value]) => value === n)?.[0] ?? `signal ${n}`;
}
