import { rmSync } from 'node:fs';
import { MemoryStore } from '@troupe/core';
import {
  killTmuxServer,
  processesWith,
  standInCommand,
  tmuxSessions,
  tmuxSocket,
  tmuxSuite,
} from '@troupe/testing';
import { afterAll, expect, it, vi } from 'vitest';
import { ClaudeCodeRunner, TmuxRunner } from '../src/index.js';
import { ofKind, record, removeTempDirs, tempDir } from './support.js';

const socket = tmuxSocket('runners-cli-tmux');
const stateDir = tempDir('cli-tmux-state');

afterAll(async () => {
  killTmuxServer(socket);
  await vi.waitFor(
    () => {
      if (processesWith(stateDir).length > 0) throw new Error('pipe-pane writers still running');
    },
    { timeout: 10_000 },
  );
  rmSync(stateDir, { recursive: true, force: true });
  removeTempDirs();
});

tmuxSuite('ClaudeCodeRunner under TmuxRunner', () => {
  it('should parse headless Claude Code from the pane log, and reattach mid-run with the whole stream re-parsed', async () => {
    const store = new MemoryStore();
    const tmuxOptions = { socket, stateDir, store, pollMs: 50, tailPollMs: 50 };
    await using tmux = new TmuxRunner(tmuxOptions);
    await using claude = new ClaudeCodeRunner({ runner: tmux, command: standInCommand('claude'), store });
    const session = await claude.start({ prompt: 'Implement it scenario:slow' });
    const first = record(session.events$);
    await expect.poll(() => ofKind(first, 'task.progress').length).toBeGreaterThan(0);

    // Another runner (as another process would) finds the same session by id.
    await using tmux2 = new TmuxRunner(tmuxOptions);
    await using claude2 = new ClaudeCodeRunner({ runner: tmux2, command: standInCommand('claude'), store });
    const again = await claude2.reattach(session.id);
    const replayed = record(again.events$);
    const result = await again.wait();
    expect(result).toMatchObject({
      status: 'completed',
      exitCode: 0,
      artifacts: ['src/feature.ts'],
      costUsd: 0.0123,
    });
    expect(result.result).toBe('Done: Implement it scenario:slow');
    // The reattached session saw the stream from its start: the init line and both to-do updates.
    expect(ofKind(replayed, 'task.progress').map((e) => e.percent)).toEqual([33, 100]);
    expect(ofKind(replayed, 'task.log')[0]?.message).toContain('claude 2.1.332');
    expect(await session.wait()).toMatchObject({ status: 'completed', result: result.result });
    expect(tmuxSessions(socket)).toEqual([]);
  }, 30_000);
});
