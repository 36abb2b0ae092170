import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';

/** The error message telling how to install tmux. */
export const TMUX_INSTALL_MESSAGE = 'tmux is not installed: apt-get install -y tmux';

/** True when a `tmux` executable runs. */
export function tmuxAvailable(bin = 'tmux'): boolean {
  return spawnSync(bin, ['-V'], { stdio: 'ignore' }).status === 0;
}

function onCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * `describe` for suites that need tmux: runs when it exists, fails on CI when it does not (a
 * silently skipped suite would hide a broken CI image), and is skipped locally otherwise.
 */
export function tmuxSuite(name: string, fn: () => void): void {
  if (tmuxAvailable()) describe(name, fn);
  else if (onCi()) {
    describe(name, () => {
      it('needs tmux', () => {
        throw new Error(TMUX_INSTALL_MESSAGE);
      });
    });
  } else describe.skip(name, fn);
}

/** A tmux socket name of its own for one test file (`<prefix>-<pid>-<random>`), so tests never share a server. */
export function tmuxSocket(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Names of the sessions on a tmux socket (empty when no server runs there). */
export function tmuxSessions(socket: string): string[] {
  const out = spawnSync('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], {
    encoding: 'utf8',
  });
  return out.status === 0 ? out.stdout.split('\n').filter((s) => s !== '') : [];
}

/** Kills the tmux server on a socket (its panes get SIGHUP) and removes the socket file; no error when none runs. */
export function killTmuxServer(socket: string): void {
  spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  const uid = process.getuid?.() ?? 0;
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, socket), { force: true });
}
