import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killTmuxServer, tmuxSocket, tmuxSuite } from '@troupe/testing';
import { afterAll, expect, it } from 'vitest';
import { TmuxWatcher } from '../src/tmux/TmuxWatcher.js';
import { Tmux } from '../src/tmux/tmuxCli.js';

const socket = tmuxSocket('runners-watcher');
afterAll(() => killTmuxServer(socket));

tmuxSuite('TmuxWatcher', () => {
  it('should report a session as gone when the server runs on with no session at all', async () => {
    // Another process ended the last session; the server stays up (exit-empty off), and tmux 3.3
    // answers `list-panes -a` with "no current target" instead of an empty list.
    const started = spawnSync('tmux', [
      '-L',
      socket,
      '-f',
      '/dev/null',
      'start-server',
      ';',
      'set-option',
      '-g',
      'exit-empty',
      'off',
    ]);
    expect(started.status).toBe(0);
    const watcher = new TmuxWatcher(new Tmux(socket), 20);
    try {
      const seen = await new Promise((resolve) => watcher.watch('troupe-gone', resolve));
      expect(seen).toBeUndefined();
    } finally {
      watcher.close();
    }
  });

  it('should fail a tmux command that does not answer in time with TmuxError, not hang', async () => {
    // A stand-in for a tmux client that hangs: it never answers.
    const dir = mkdtempSync(join(tmpdir(), 'troupe-hung-tmux-'));
    const bin = join(dir, 'tmux');
    writeFileSync(bin, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    try {
      const hung = new Tmux(socket, bin, 200);
      await expect(hung.exec(['list-panes', '-a'])).rejects.toMatchObject({
        name: 'TmuxError',
        message: 'tmux list-panes did not answer within 200 ms',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
