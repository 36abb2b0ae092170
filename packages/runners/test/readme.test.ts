import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killTmuxServer, processesWith, tmuxSessions, tmuxSocket, tmuxSuite } from '@troupe/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main as standIns } from '../examples/standins.js';
import { main as tmuxReattach } from '../examples/tmuxReattach.js';
import { removeTempDirs, tempDir } from './support.js';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const example = (name: string) => readFileSync(new URL(`examples/${name}`, root), 'utf8');

describe('@troupe/runners README', () => {
  it('should start with the stand-in TaskGroup example, verbatim', () => {
    expect(blocks[0]).toBe(example('standins.ts'));
  });

  it('should show the tmux reattach example verbatim', () => {
    expect(blocks).toContain(example('tmuxReattach.ts'));
  });

  it('should run the TaskGroup of three headless claude sessions on the stand-in', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const results = await standIns();
      expect(results).toMatchObject({ total: 3, completed: 3 });
      expect(results.tasks.map((t) => t.result)).toEqual([
        'Done: Deploy the design tokens',
        'Done: Update the Tailwind config',
        'Done: Write the design system docs',
      ]);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toContain(
        'TaskGroup design system: 3/3 done',
      );
    } finally {
      log.mockRestore();
    }
  }, 60_000);
});

const socket = tmuxSocket('runners-readme');
const storeDir = tempDir('readme-store');

afterAll(async () => {
  killTmuxServer(socket);
  await vi.waitFor(
    () => {
      if (processesWith(`troupe-tmux-${socket}`).length > 0)
        throw new Error('pipe-pane writers still running');
    },
    { timeout: 10_000 },
  );
  rmSync(storeDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), `troupe-tmux-${socket}`), { recursive: true, force: true });
  removeTempDirs();
});

tmuxSuite('@troupe/runners README (tmux)', () => {
  it('should run the reattach example', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await tmuxReattach(socket, storeDir)).toMatchObject({ status: 'completed', exitCode: 0 });
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringContaining(`tmux -L ${socket} attach -t troupe-`),
        'step 1',
        'step 2',
        'step 3',
      ]);
      expect(tmuxSessions(socket)).toEqual([]);
    } finally {
      log.mockRestore();
    }
  }, 60_000);
});
