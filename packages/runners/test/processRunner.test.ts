import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore, ValidationError } from '@troupe/core';
import { processesWith } from '@troupe/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessRunner, RunnerStartError, SessionNotFoundError } from '../src/index.js';
import {
  fixture,
  killMarked,
  NASTY,
  ofKind,
  procState,
  record,
  removeTempDirs,
  sleepMarker,
  tempDir,
} from './support.js';

afterAll(() => {
  killMarked();
  removeTempDirs();
});

/** Runs `sh -c` text written by the test itself: a parent that ignores TERM/HUP and a grandchild. */
function stubbornFamily(marker: string): string[] {
  return ['sh', '-c', `trap "" TERM HUP; sleep ${marker} & sleep ${marker}; wait`];
}

describe('ProcessRunner', () => {
  it('should pass argv to the program without a shell, byte for byte', async () => {
    const dir = tempDir('argv');
    await using runner = new ProcessRunner();
    const session = await runner.start(
      { command: [...fixture('printArgs.mjs'), NASTY, ';', '*'] },
      { cwd: dir, env: { TROUPE_TEST_VAR: 'v=1' } },
    );
    const lines = record(session.output$);
    const result = await session.wait();
    expect(result).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(JSON.parse(lines[0]?.text ?? '')).toEqual({ argv: [NASTY, ';', '*'], cwd: dir, env: 'v=1' });
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('should join a 200 KiB line written in pieces, decoding characters cut between reads', async () => {
    await using runner = new ProcessRunner();
    const session = await runner.start({ command: fixture('bigLine.mjs') });
    const lines = record(session.output$);
    await session.wait();
    expect(lines.map((l) => l.text)).toEqual(['ascii é 中文 🙂 '.repeat(12_000), 'after']);
  });

  it('should cut lines over the cap and mark them truncated', async () => {
    await using runner = new ProcessRunner({ maxLineBytes: 1024 });
    const session = await runner.start({ command: fixture('bigLine.mjs') });
    const lines = record(session.output$);
    await session.wait();
    expect(lines[0]).toMatchObject({ stream: 'stdout', truncated: true });
    expect(Buffer.byteLength(lines[0]?.text ?? '')).toBeLessThanOrEqual(1024);
    expect(lines[1]).toEqual({ stream: 'stdout', text: 'after' });
  });

  it('should map the exit code to the status and tag stderr', async () => {
    await using runner = new ProcessRunner();
    const ok = await runner.start({ command: [...fixture('lines.mjs'), '2', '5', '0'] });
    expect(await ok.wait()).toMatchObject({ status: 'completed', exitCode: 0 });
    const bad = await runner.start({
      command: [process.execPath, '-e', 'console.error("boom"); process.exitCode = 3'],
    });
    const lines = record(bad.output$);
    const result = await bad.wait();
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, error: { code: 'RUNNER_RUN_FAILED' } });
    expect(lines).toEqual([{ stream: 'stderr', text: 'boom' }]);
    expect(bad.status()).toBe('failed');
  });

  it('should reject a program that cannot start, and a task without a command', async () => {
    await using runner = new ProcessRunner();
    await expect(runner.start({ command: ['/no/such/program'] })).rejects.toBeInstanceOf(RunnerStartError);
    await expect(runner.start({ prompt: 'no command' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('should time out: SIGTERM to the whole group, then SIGKILL to what ignores it', async () => {
    const marker = sleepMarker();
    await using runner = new ProcessRunner({ killGraceMs: 200 });
    const session = await runner.start({ command: stubbornFamily(marker) }, { timeout: 300 });
    await expect.poll(() => processesWith(marker).length).toBe(3); // sh and its two sleeps
    const result = await session.wait();
    expect(result).toMatchObject({ status: 'timed_out', error: { code: 'TIMEOUT' } });
    expect(processesWith(marker)).toEqual([]);
  });

  it('should cancel the whole process group and resolve only once it is gone', async () => {
    const marker = sleepMarker();
    await using runner = new ProcessRunner({ killGraceMs: 200 });
    const session = await runner.start({ command: stubbornFamily(marker) });
    await expect.poll(() => processesWith(marker).length).toBe(3); // sh and its two sleeps
    await session.cancel('enough');
    expect(processesWith(marker)).toEqual([]);
    expect(await session.wait()).toMatchObject({
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'enough' },
    });
  });

  it('should cancel when the start signal aborts', async () => {
    const marker = sleepMarker();
    const controller = new AbortController();
    await using runner = new ProcessRunner();
    const session = await runner.start({ command: ['sleep', marker] }, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    expect(await session.wait()).toMatchObject({ status: 'cancelled', error: { message: 'caller gave up' } });
    expect(processesWith(marker)).toEqual([]);
  });

  it('should kill what the program left running in its group when it exits', async () => {
    const marker = sleepMarker();
    await using runner = new ProcessRunner();
    const session = await runner.start({ command: ['sh', '-c', `sleep ${marker} & echo started`] });
    expect(await session.wait()).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(processesWith(marker)).toEqual([]);
  });

  it('should pause (SIGSTOP) and resume (SIGCONT) the group, with progress events', async () => {
    await using runner = new ProcessRunner();
    const marker = sleepMarker();
    const session = await runner.start({ command: [...fixture('ticker.mjs'), marker] });
    const events = record(session.events$);
    const lines = record(session.output$);
    await expect.poll(() => lines.length).toBeGreaterThan(0);
    expect(await runner.reattach(session.id)).toBe(session);
    await session.pause();
    expect(session.status()).toBe('paused');
    const pids = processesWith(marker);
    expect(pids).toHaveLength(1);
    await expect.poll(() => procState(pids[0] as number)).toBe('T');
    await session.resume();
    await expect.poll(() => procState(pids[0] as number)).not.toBe('T');
    const seen = lines.length;
    await expect.poll(() => lines.length).toBeGreaterThan(seen);
    expect(events.map((e) => e.kind)).toEqual(['task.paused', 'task.resumed']);
    await session.cancel();
  });

  it('should deliver send() text to stdin and end input with key("eof")', async () => {
    await using runner = new ProcessRunner();
    const session = await runner.start({ command: fixture('echoInput.mjs') });
    const lines = record(session.output$);
    await session.send(NASTY);
    await session.key('eof');
    expect(await session.wait()).toMatchObject({ status: 'completed' });
    expect(lines.map((l) => l.text)).toEqual(['READY', `GOT ${JSON.stringify(NASTY)}`]);
    await expect(session.send('late')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(
      runner.start({ command: fixture('echoInput.mjs') }).then((s) => s.key('nope')),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('should find sessions again: live, finished (from the store), and orphaned in another runner', async () => {
    const store = new MemoryStore();
    await using first = new ProcessRunner({ store });
    const done = await first.start({ command: [...fixture('lines.mjs'), '1', '5', '4'] });
    const result = await done.wait();
    await using second = new ProcessRunner({ store, killGraceMs: 200, pollMs: 20 });
    const again = await second.reattach(done.id);
    expect(await again.wait()).toEqual(result);
    await expect(second.reattach('no-such-session')).rejects.toBeInstanceOf(SessionNotFoundError);

    const marker = sleepMarker();
    const running = await first.start({ command: ['sleep', marker] });
    const orphan = await second.reattach(running.id);
    expect(orphan).not.toBe(running);
    await orphan.cancel('from elsewhere');
    expect(processesWith(marker)).toEqual([]);
    expect(await orphan.wait()).toMatchObject({ status: 'cancelled' });
    expect(await running.wait()).toMatchObject({ status: 'failed', signal: 'SIGTERM' });
  });

  it('should leave no process behind after 100 start/cancel cycles', async () => {
    const marker = sleepMarker();
    await using runner = new ProcessRunner({ killGraceMs: 500 });
    for (let i = 0; i < 100; i++) {
      const session = await runner.start({
        command: ['sh', '-c', `sleep ${marker} & sleep ${marker}; wait`],
      });
      await session.cancel();
      expect(session.status()).toBe('cancelled');
    }
    expect(processesWith(marker)).toEqual([]);
  }, 120_000);

  it('should report only its own events for kinds it emits', async () => {
    await using runner = new ProcessRunner();
    const session = await runner.start({ command: fixture('ticker.mjs') });
    const events = record(session.events$);
    await session.pause();
    await session.resume();
    await session.cancel();
    expect(ofKind(events, 'task.paused')).toHaveLength(1);
  });
});
