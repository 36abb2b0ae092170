import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore, MemoryStore, ValidationError } from '@troupe/core';
import { killTmuxServer, processesWith, tmuxSessions, tmuxSocket, tmuxSuite } from '@troupe/testing';
import { afterAll, expect, it, vi } from 'vitest';
import { RunnerStartError, SessionNotFoundError, TmuxRunner } from '../src/index.js';
import {
  fixture,
  killMarked,
  NASTY,
  procState,
  record,
  removeTempDirs,
  sleepMarker,
  tempDir,
} from './support.js';

const socket = tmuxSocket('runners-tmux');
const stateDir = tempDir('tmux-state');
const repoRoot = new URL('../../../', import.meta.url);

afterAll(async () => {
  killTmuxServer(socket);
  killMarked();
  // pipe-pane writers finish their logs after the server is gone.
  await vi.waitFor(
    () => {
      if (processesWith(stateDir).length > 0) throw new Error('pipe-pane writers still running');
    },
    { timeout: 10_000 },
  );
  rmSync(stateDir, { recursive: true, force: true });
  removeTempDirs();
});

function runner(options: ConstructorParameters<typeof TmuxRunner>[0] = {}): TmuxRunner {
  return new TmuxRunner({ socket, stateDir, pollMs: 50, tailPollMs: 50, killGraceMs: 300, ...options });
}

tmuxSuite('TmuxRunner', () => {
  it('should start the command without a shell and type text byte for byte', async () => {
    const dir = tempDir('tmux-nasty');
    await using tmux = runner();
    // The argv itself carries the nasty text too: tmux must exec it, not hand it to sh -c.
    const session = await tmux.start({ command: [...fixture('echoInput.mjs'), NASTY] }, { cwd: dir });
    const lines = record(session.output$);
    await expect.poll(() => lines.map((l) => l.text)).toContain('READY');
    const long = `${'0123456789'.repeat(600)};`;
    await session.send(`${NASTY}${long}`);
    expect(await session.wait()).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(lines.map((l) => l.text)).toContain(`GOT ${JSON.stringify(`${NASTY}${long}\r`)}`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('should pass argv, cwd and env exactly, even with characters tmux treats specially', async () => {
    const dir = tempDir('tmux #{session_name} dir;');
    await using tmux = runner();
    const args = [NASTY, ';', 'ends;', 'x\\;', '#{pane_pid}', '{', '-'];
    const session = await tmux.start(
      { command: [...fixture('printArgs.mjs'), ...args] },
      { cwd: dir, env: { TROUPE_TEST_VAR: 'a;b #{x};' } },
    );
    const lines = record(session.output$);
    await session.wait();
    expect(JSON.parse(lines.map((l) => l.text).join(''))).toEqual({ argv: args, cwd: dir, env: 'a;b #{x};' });
  });

  it('should report output from pipe-pane, the exit code as status, and the screen from capture-pane', async () => {
    await using tmux = runner();
    const ok = await tmux.start({ command: [...fixture('lines.mjs'), '3', '10', '0'] });
    const lines = record(ok.output$);
    expect(await ok.wait()).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(lines).toEqual([1, 2, 3].map((n) => ({ stream: 'pty', text: `line ${n}` })));
    const bad = await tmux.start({ command: [...fixture('lines.mjs'), '1', '10', '7'] });
    expect(await bad.wait()).toMatchObject({ status: 'failed', exitCode: 7 });
    const live = await tmux.start({ command: fixture('ticker.mjs') });
    await expect.poll(() => live.screen()).toContain('tick 2');
    await live.cancel();
    expect(tmuxSessions(socket)).toEqual([]);
  });

  it('should send named keys: the shortcut map, slash commands, raw tmux keys, and keys of its own', async () => {
    await using tmux = runner({ keys: { save: { keys: ['C-s'] } } });
    const session = await tmux.start({ command: fixture('echoInput.mjs') });
    const lines = record(session.output$);
    await expect.poll(() => lines.map((l) => l.text)).toContain('READY');
    await session.key('interrupt');
    await session.key('save');
    await session.key('Tab');
    await session.key('/model');
    expect(await session.wait()).toMatchObject({ status: 'completed' });
    expect(lines.map((l) => l.text)).toContain(`GOT ${JSON.stringify('\u0003\u0013\t/model\r')}`);
  });

  it('should reject unknown keys and bad tasks', async () => {
    await using tmux = runner();
    await expect(tmux.start({ prompt: 'no command' })).rejects.toBeInstanceOf(ValidationError);
    await expect(tmux.start({ command: ['sh'] }, { cwd: '/no/such/dir' })).rejects.toBeInstanceOf(
      RunnerStartError,
    );
    await expect(tmux.start({ command: ['sh'] }, { id: 'bad id!' })).rejects.toBeInstanceOf(ValidationError);
    const session = await tmux.start({ command: fixture('ticker.mjs') });
    await expect(session.key('rm -rf ;')).rejects.toBeInstanceOf(ValidationError);
    await session.cancel();
  });

  it('should pause and resume the pane’s process group, and type the prompt given at start', async () => {
    await using tmux = runner();
    const marker = sleepMarker();
    const session = await tmux.start({ command: [...fixture('ticker.mjs'), marker] });
    const events = record(session.events$);
    // The launcher shell and the program: the program stops (tmux would resume a stopped launcher).
    await expect.poll(() => processesWith(marker).length).toBe(2);
    const pids = processesWith(marker);
    const states = () => Promise.all(pids.map(procState));
    await session.pause();
    await expect.poll(states).toContain('T');
    await session.resume();
    await expect.poll(states).not.toContain('T');
    expect(events.map((e) => e.kind)).toEqual(['task.paused', 'task.resumed']);
    await session.cancel();
    const typed = await tmux.start({ command: fixture('echoInput.mjs'), prompt: 'hello there' });
    const lines = record(typed.output$);
    await typed.wait();
    expect(lines.map((l) => l.text)).toContain(`GOT ${JSON.stringify('hello there\r')}`);
  });

  it('should cancel: stop the whole group (TERM, then KILL) and kill the session', async () => {
    const marker = sleepMarker();
    await using tmux = runner();
    const session = await tmux.start({
      command: ['sh', '-c', `trap "" TERM HUP; sleep ${marker} & sleep ${marker}; wait`],
    });
    await expect.poll(() => processesWith(marker).length).toBe(4); // launcher, sh and its two sleeps
    await session.cancel('stop');
    expect(processesWith(marker)).toEqual([]);
    expect(tmuxSessions(socket)).not.toContain(session.name);
    expect(await session.wait()).toMatchObject({ status: 'cancelled', error: { message: 'stop' } });
  });

  it('should time out', async () => {
    const marker = sleepMarker();
    await using tmux = runner();
    const session = await tmux.start({ command: ['sleep', marker] }, { timeout: 300 });
    expect(await session.wait()).toMatchObject({ status: 'timed_out' });
    expect(processesWith(marker)).toEqual([]);
    expect(tmuxSessions(socket)).not.toContain(session.name);
  });

  it('should reattach by id from another process after the controlling process exited', async () => {
    const storeDir = tempDir('tmux-store');
    const started = spawnSync(
      join(repoRoot.pathname, 'node_modules/.bin/tsx'),
      [
        fixture('tmuxController.ts')[1] as string,
        socket,
        stateDir,
        storeDir,
        ...fixture('lines.mjs'),
        '12',
        '100',
        '0',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(started.status, started.stderr).toBe(0);
    const { id, name } = JSON.parse(started.stdout) as { id: string; name: string };
    expect(tmuxSessions(socket)).toContain(name);

    const store = await FileStore.open({ dir: storeDir });
    await using tmux = runner({ store });
    const session = await tmux.reattach(id);
    const lines = record(session.output$);
    const result = await session.wait();
    expect(result).toMatchObject({ status: 'completed', exitCode: 0 });
    // The complete history, including what was printed before anyone reattached.
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 12 }, (_, i) => `line ${i + 1}`));
    expect(tmuxSessions(socket)).not.toContain(name);

    const finished = await tmux.reattach(id);
    const replayed = record(finished.output$);
    expect(await finished.wait()).toEqual(result);
    expect(replayed).toHaveLength(12);
    await expect(tmux.reattach('never-started')).rejects.toBeInstanceOf(SessionNotFoundError);
    await store.close();
  }, 90_000);

  it('should leave no session and no process after 100 start/cancel cycles (counted)', async () => {
    const marker = sleepMarker();
    await using tmux = runner({ store: new MemoryStore() });
    for (let i = 0; i < 100; i++) {
      const session = await tmux.start({ command: ['sh', '-c', `sleep ${marker} & sleep ${marker}; wait`] });
      await session.cancel();
    }
    expect(tmuxSessions(socket)).toEqual([]);
    expect(processesWith(marker)).toEqual([]);
  }, 180_000);
});
