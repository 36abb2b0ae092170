import { execFile } from 'node:child_process';
import { TmuxError } from '../errors.js';

/** What one tmux command printed. */
export interface TmuxOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Ms a tmux client may take before it is killed (see {@link Tmux}). */
export const DEFAULT_TMUX_TIMEOUT_MS = 10_000;

/**
 * One tmux server on a dedicated socket (`tmux -L <socket>`), driven through `execFile`: every
 * argument is one argv element, never a shell string.
 */
export class Tmux {
  /** The socket name (`-L`). */
  readonly socket: string;
  readonly #bin: string;
  readonly #timeoutMs: number;

  /**
   * @param timeoutMs Ms one tmux client may take before it is killed (SIGKILL) and its command
   *   fails with `TmuxError` (default 10 000). A tmux 3.3 client can hang on a server that is
   *   busy ending a pane; without a bound, a watcher waiting on it would never tick again.
   */
  constructor(socket: string, bin = 'tmux', timeoutMs = DEFAULT_TMUX_TIMEOUT_MS) {
    this.socket = socket;
    this.#bin = bin;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Runs `tmux -L socket ...args`; resolves with its output whatever the exit code.
   * @throws TmuxError when tmux cannot be run or does not answer within the timeout.
   */
  exec(args: readonly string[]): Promise<TmuxOutput> {
    return new Promise((resolve, reject) => {
      execFile(
        this.#bin,
        ['-L', this.socket, ...args],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: this.#timeoutMs, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          if (err && (err as { killed?: boolean }).killed) {
            const what = `tmux ${args[0] ?? ''}`;
            reject(new TmuxError(`${what} did not answer within ${this.#timeoutMs} ms`, { cause: err }));
            return;
          }
          const code = err ? (err as { code?: unknown }).code : 0;
          if (typeof code !== 'number') {
            reject(new TmuxError(`cannot run ${this.#bin}: ${(err as Error).message}`, { cause: err }));
            return;
          }
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Runs a command that must succeed; rejects with `TmuxError` carrying tmux's message. */
  async run(args: readonly string[]): Promise<string> {
    const out = await this.exec(args);
    if (out.code !== 0) {
      throw new TmuxError(`tmux ${args[0] ?? ''} failed: ${out.stderr.trim() || `exit ${out.code}`}`, {
        data: { socket: this.socket },
      });
    }
    return out.stdout;
  }
}

/** Whether tmux's message says the server is not running (no sessions at all). */
export function noServer(stderr: string): boolean {
  return /no server running|error connecting to|server exited/i.test(stderr);
}

/**
 * Whether tmux's message says the server runs but holds no session: `list-panes -a` then fails
 * with "no current target" (tmux 3.3) rather than listing nothing.
 */
export function noSessions(stderr: string): boolean {
  return /no current target|no sessions/i.test(stderr);
}

/**
 * One argument as tmux reads it from argv. tmux treats an argument ending in `;` as a command
 * separator (dropping the `;`), and turns a trailing `\;` into a literal `;`: so a trailing `;`
 * gets a backslash in front, which also keeps a user's own trailing `\;` intact.
 */
export function tmuxArg(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

/** Text for a tmux argument that is expanded as a format (`-c`, `pipe-pane`): `#` doubled. */
export function tmuxFormatLiteral(text: string): string {
  return tmuxArg(text.replaceAll('#', '##'));
}

/** `text` in pieces of at most `max` UTF-16 units, never splitting a surrogate pair. */
export function chunks(text: string, max: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** A single-quoted POSIX shell word for a path we chose (rejects what cannot be quoted safely). */
export function shellQuotePath(path: string): string {
  if (/['\n\r\0]/.test(path)) throw new TmuxError(`unsupported character in path '${path}'`);
  return `'${path}'`;
}
