/**
 * The CLI in a real pseudo-terminal: a tmux server on a socket of its own per test file, one
 * session per CLI run, the screen read with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { cliCommand, cliEnv } from './cli.js';

/** A CLI running in a tmux pane of `cols` × `rows`. */
export interface TmuxCli {
  /** The visible screen now (trailing blank lines removed). */
  screen(): string;
  /** The whole scrollback and screen. */
  history(): string;
  /** Sends keys (tmux key names, e.g. `C-c`). */
  keys(...keys: string[]): void;
  /** Waits until the screen (or history) matches. */
  waitFor(pattern: RegExp, options?: { timeout?: number; history?: boolean }): Promise<string>;
  /** The CLI's exit code, once the shell printed it. */
  exitCode(options?: { timeout?: number }): Promise<number>;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Starts `troupe <args>` in a new tmux session on `socket` (after `env` and in `cwd`); the pane
 * stays after the CLI exits, with `EXIT=<code>` printed after it.
 */
export function startTmuxCli(
  socket: string,
  session: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; cols?: number; rows?: number },
): TmuxCli {
  const env = cliEnv(options.env);
  const exports = Object.entries(options.env ?? {})
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ');
  const command = `cd ${quote(options.cwd)} && ${exports} ${[...cliCommand(), ...args].map(quote).join(' ')}; echo EXIT=$?; sleep 600`;
  execFileSync(
    'tmux',
    [
      '-L',
      socket,
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(options.cols ?? 120),
      '-y',
      String(options.rows ?? 32),
      command,
    ],
    { env: { ...env, TERM: 'xterm-256color' } },
  );
  const tmux = (...args: string[]) =>
    spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout.replace(/\s+$/, '');
  const cli: TmuxCli = {
    screen: () => tmux('capture-pane', '-p', '-t', session),
    history: () => tmux('capture-pane', '-p', '-S', '-', '-t', session),
    keys: (...keys) => {
      tmux('send-keys', '-t', session, ...keys);
    },
    async waitFor(pattern, { timeout = 60_000, history = false } = {}) {
      let text = '';
      await expect
        .poll(
          () => {
            text = history ? cli.history() : cli.screen();
            return pattern.test(text);
          },
          { timeout, interval: 100 },
        )
        .toBe(true);
      return text;
    },
    async exitCode({ timeout = 60_000 } = {}) {
      const text = await cli.waitFor(/^EXIT=\d+$/m, { timeout, history: true });
      return Number(/^EXIT=(\d+)$/m.exec(text)?.[1]);
    },
  };
  return cli;
}
