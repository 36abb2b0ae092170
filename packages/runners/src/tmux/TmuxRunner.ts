import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asCancellation, newId, type Store, ValidationError } from '@troupe/core';
import { RunnerStartError, SessionNotFoundError } from '../errors.js';
import { LineDecoder } from '../internal/LineDecoder.js';
import { checkId, readRecord, type SessionRecord, writeRecord } from '../internal/records.js';
import { bounded } from '../internal/waiting.js';
import type { OutputLine, Runner, RunnerTask, StartOptions, WaitOptions } from '../types.js';
import { DEFAULT_TMUX_KEYS, type TmuxKey } from './keys.js';
import { FinishedTmuxSession, TmuxPaneSession, type TmuxSession } from './TmuxSession.js';
import { TmuxWatcher } from './TmuxWatcher.js';
import { shellQuotePath, Tmux, tmuxArg, tmuxFormatLiteral } from './tmuxCli.js';

/** Options of {@link TmuxRunner}. */
export interface TmuxRunnerOptions {
  /** The dedicated tmux socket, `tmux -L <socket>` (default `troupe`). */
  socket?: string;
  /** Where session logs go (default `<tmpdir>/troupe-tmux-<socket>`); must be shared with reattaching processes. */
  stateDir?: string;
  /** Where session records go, so {@link TmuxRunner.reattach} works from other processes. */
  store?: Store;
  /** Named keys for `session.key(name)`, merged over {@link DEFAULT_TMUX_KEYS} (per program). */
  keys?: Readonly<Record<string, TmuxKey>>;
  /** `signal` (default): pause/resume send SIGSTOP/SIGCONT to the pane's process group; `keys`: send the `pause`/`resume` keys. */
  pauseWith?: 'signal' | 'keys';
  /** Ms between liveness checks (one `list-panes` for all sessions; default 250). */
  pollMs?: number;
  /** Ms between log reads when no file change was noticed (default 200). */
  tailPollMs?: number;
  /** Ms between SIGTERM and SIGKILL on cancel and timeout (default 2 000). */
  killGraceMs?: number;
  /** Bytes kept of one output line (default 4 MiB). */
  maxLineBytes?: number;
  /** Pane size (default 200×50). */
  width?: number;
  height?: number;
  /** The tmux executable (default `tmux` on PATH). */
  tmuxBin?: string;
  /** Ms one tmux command may take before its client is killed and the command fails with `TmuxError` (default 10 000). */
  commandTimeoutMs?: number;
  /** `task.prompt` is typed once the program printed something, or after this many ms (default 5 000). */
  promptDelayMs?: number;
}

const KIND = 'tmux';
/**
 * Runs its arguments as the command ("$@": positional parameters, never parsed as shell code)
 * and records the exit status in the file named by $0. A fixed script: no user text in it.
 */
const LAUNCHER = '"$@"; s=$?; printf %s "$s" > "$0"; exit "$s"';
const SOCKET = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Runs each task in its own tmux session on a dedicated socket, so it survives the process that
 * started it and can be watched (`tmux -L troupe attach -t <name>`), steered and reattached by id.
 * The command goes to tmux as separate argv elements, run by a fixed launcher as `"$@"`, so no
 * shell ever parses user text; the launcher records the exit status. Output: `pipe-pane` appends everything to a log
 * file that is read by offset (complete history, nothing lost between polls); `capture-pane`
 * gives the screen. Input: `send-keys -l` (literal) then `Enter`. Liveness: one `list-panes`
 * per tick for all sessions; the pane stays after exit (`remain-on-exit`) so its exit status is
 * read, then the session is killed. Cancel and timeout stop the pane's process group (TERM,
 * then KILL) and kill the session. `close()` stops watching and leaves sessions running.
 * @example
 * await using runner = new TmuxRunner({ store });
 * const session = await runner.start({ command: ['claude'], prompt: 'fix the flaky test' }, { cwd: repo });
 * await session.key('/model');
 * // later, from any process sharing `store`:
 * const again = await new TmuxRunner({ store }).reattach(session.id);
 */
export class TmuxRunner implements Runner<TmuxSession> {
  readonly kind = KIND;
  /** The tmux socket name. */
  readonly socket: string;
  /** The directory holding session logs. */
  readonly stateDir: string;
  readonly #o: TmuxRunnerOptions;
  readonly #tmux: Tmux;
  readonly #watcher: TmuxWatcher;
  readonly #live = new Map<string, TmuxPaneSession>();

  constructor(options: TmuxRunnerOptions = {}) {
    const socket = options.socket ?? 'troupe';
    if (!SOCKET.test(socket)) {
      throw new ValidationError(`invalid tmux socket name '${socket}'`, {
        issues: [{ path: 'socket', message: 'use 1-64 of [A-Za-z0-9_-]' }],
      });
    }
    this.socket = socket;
    this.stateDir = options.stateDir ?? join(tmpdir(), `troupe-tmux-${socket}`);
    this.#o = options;
    this.#tmux = new Tmux(socket, options.tmuxBin, options.commandTimeoutMs);
    this.#watcher = new TmuxWatcher(this.#tmux, options.pollMs ?? 250);
  }

  /** The tmux session name of session `id`. */
  sessionName(id: string): string {
    return `troupe-${checkId(id)}`;
  }

  /** Starts `task.command` in a new tmux session; then types `task.prompt`, if given. */
  async start(task: RunnerTask, options: StartOptions = {}): Promise<TmuxSession> {
    const command = task.command;
    if (!command || command.length === 0 || command.some((a) => typeof a !== 'string')) {
      throw new ValidationError('TmuxRunner needs task.command: a non-empty array of strings', {
        issues: [{ path: 'command', message: 'required' }],
      });
    }
    if (options.signal?.aborted) throw asCancellation(options.signal.reason);
    const id = checkId(options.id ?? newId());
    const cwd = options.cwd ?? process.cwd();
    if (!isDir(cwd)) throw new RunnerStartError(`working directory '${cwd}' does not exist`);
    const name = this.sessionName(id);
    const logFile = this.#prepareLog(id);
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', tmuxArg(`${k}=${v}`)]);
    const pipe = `cat >> ${shellQuotePath(logFile)}; : > ${shellQuotePath(`${logFile}.eof`)}`;
    await this.#ensureServer();
    // One round trip: pipe-pane is set before tmux reads the pane's first output, so none is missed;
    // remain-on-exit again in case the server was restarted in between.
    // biome-ignore format: one tmux command per line
    const out = await this.#tmux.exec([
      'set-option', '-g', 'remain-on-exit', 'on', ';',
      'new-session', '-d', '-s', name,
      '-x', String(this.#o.width ?? 200), '-y', String(this.#o.height ?? 50),
      '-c', tmuxFormatLiteral(cwd), ...env,
      '--', 'sh', '-c', LAUNCHER, tmuxArg(`${logFile}.exit`), ...command.map(tmuxArg), ';',
      'pipe-pane', '-t', `=${name}:`, tmuxFormatLiteral(pipe), ';',
      'display-message', '-p', '-t', `=${name}:`, '#{pane_pid}',
    ]);
    if (out.code !== 0)
      throw new RunnerStartError(`tmux could not start session ${name}: ${out.stderr.trim()}`);
    const pid = Number(out.stdout.trim());
    const record: SessionRecord & { tmux: NonNullable<SessionRecord['tmux']> } = {
      kind: KIND,
      id,
      status: 'running',
      startedAt: Date.now(),
      cwd,
      tmux: { socket: this.socket, name, logFile },
    };
    if (Number.isInteger(pid) && pid > 0) {
      record.pid = pid;
      record.pgid = pid;
    }
    await writeRecord(this.#o.store, record);
    const session = this.#session(record, options);
    if (task.prompt !== undefined) {
      // Typed too early, keys reach a program that has not set up its terminal yet.
      await firstOutput(session, this.#o.promptDelayMs ?? 5_000);
      await session.send(task.prompt);
    }
    return session;
  }

  /**
   * Finds session `id`: this runner's live one; a running tmux session (its log replayed from the
   * start, then followed); or a finished one from the store with its log and result.
   */
  reattach(id: string, options?: WaitOptions): Promise<TmuxSession> {
    return bounded(this.#reattach(id), options, `reattaching session ${id}`);
  }

  async #reattach(id: string): Promise<TmuxSession> {
    const live = this.#live.get(checkId(id));
    if (live) return live;
    const record = await readRecord(this.#o.store, KIND, id);
    const name = record?.tmux?.name ?? this.sessionName(id);
    const logFile = record?.tmux?.logFile ?? join(this.stateDir, `${id}.log`);
    if (record?.result) return finished(id, name, logFile, record.result, this.#o.maxLineBytes);
    const has = await this.#tmux.exec(['has-session', '-t', `=${name}`]);
    if (has.code !== 0)
      throw new SessionNotFoundError(`no tmux session '${name}' on socket '${this.socket}'`);
    const base: SessionRecord = record ?? { kind: KIND, id, status: 'running', startedAt: Date.now() };
    const pid = Number(
      (await this.#tmux.run(['display-message', '-p', '-t', `=${name}:`, '#{pane_pid}'])).trim(),
    );
    const full = { ...base, tmux: { socket: this.socket, name, logFile }, pid, pgid: pid };
    return this.#session(full, {});
  }

  /** Stops watching (sessions keep running in tmux; reattach to follow them again). Idempotent. */
  async close(): Promise<void> {
    this.#watcher.close();
    for (const session of this.#live.values()) session.detach();
    this.#live.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #session(record: SessionRecord & { tmux: NonNullable<SessionRecord['tmux']> }, options: StartOptions) {
    const session = new TmuxPaneSession(
      {
        tmux: this.#tmux,
        watcher: this.#watcher,
        record,
        store: this.#o.store,
        maxLineBytes: this.#o.maxLineBytes,
        tailPollMs: this.#o.tailPollMs ?? 200,
        keys: { ...DEFAULT_TMUX_KEYS, ...this.#o.keys },
        pauseWith: this.#o.pauseWith ?? 'signal',
        killGraceMs: this.#o.killGraceMs ?? 2_000,
        onEnd: () => this.#live.delete(record.id),
      },
      options,
    );
    this.#live.set(record.id, session);
    return session;
  }

  /**
   * Starts the server by itself (its command line, visible in `ps`, then holds no task text),
   * keeps it up while it has no sessions, and keeps dead panes so their exit is seen.
   */
  async #ensureServer(): Promise<void> {
    // biome-ignore format: one tmux command per line
    const out = await this.#tmux.exec([
      '-f', '/dev/null', 'start-server', ';',
      'set-option', '-g', 'exit-empty', 'off', ';',
      'set-option', '-g', 'remain-on-exit', 'on',
    ]);
    if (out.code !== 0)
      throw new RunnerStartError(`cannot start the tmux server '${this.socket}': ${out.stderr.trim()}`);
  }

  #prepareLog(id: string): string {
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    const logFile = join(this.stateDir, `${id}.log`);
    writeFileSync(logFile, '', { mode: 0o600 });
    rmSync(`${logFile}.exit`, { force: true });
    rmSync(`${logFile}.eof`, { force: true });
    return logFile;
  }
}

/** Resolves on the session's first output line, its end, or after `ms`, whichever comes first. */
function firstOutput(session: TmuxSession, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const sub = session.output$.subscribe({ next: done, complete: done });
    function done(): void {
      clearTimeout(timer);
      queueMicrotask(() => sub.unsubscribe());
      resolve();
    }
  });
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function finished(
  id: string,
  name: string,
  logFile: string,
  result: NonNullable<SessionRecord['result']>,
  maxLineBytes: number | undefined,
): TmuxSession {
  const lines: OutputLine[] = [];
  const decoder = new LineDecoder({
    maxLineBytes,
    onLine: (text, truncated) =>
      lines.push(truncated ? { stream: 'pty', text, truncated } : { stream: 'pty', text }),
  });
  try {
    decoder.write(readFileSync(logFile));
    decoder.end();
  } catch {
    // The log may have been cleaned up; the recorded result still stands.
  }
  return new FinishedTmuxSession({ id, name, logFile, result }, lines);
}
