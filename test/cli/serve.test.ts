import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, WORKFLOW } from './support/cli.js';

const TOKEN = 'serve-token';

/** Starts `troupe serve` and resolves to it and its base URL once it prints it. */
async function serve(cwd: string, args: string[] = []) {
  const p = startCli(['serve', '--port', '0', ...args], { cwd, env: { TROUPE_API_TOKEN: TOKEN } });
  await expect
    .poll(() => /listening on (\S+)/.exec(p.stdout())?.[1], { timeout: 90_000, message: p.stderr() })
    .toBeDefined();
  const url = /listening on (\S+)/.exec(p.stdout())?.[1] as string;
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
  };
  return { p, url, call };
}

describe('troupe serve', () => {
  it('should serve the API over the store, run a goal to completion, keep it across a restart, and serve the dashboard', async () => {
    using tmp = tempDir();
    const dashboard = join(tmp.dir, 'dash');
    mkdirSync(dashboard);
    writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>board</title>');
    const first = await serve(tmp.dir, ['--dashboard', dashboard]);
    expect(first.p.stdout()).toContain('bearer token required');
    expect((await first.call('GET', '/api/v1/tasks', undefined, null)).status).toBe(401);
    const page = await first.call('GET', '/', undefined, null);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>board</title>');
    const started = await first.call('POST', '/api/v1/tasks', { goal: 'compare actor runtimes' });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await expect
      .poll(async () => (await first.call('GET', `/api/v1/tasks/${id}`)).body.status, { timeout: 60_000 })
      .toBe('completed');
    const progress = (await first.call('GET', `/api/v1/tasks/${id}/progress`)).body;
    expect(progress.subtasks.length).toBeGreaterThan(0);
    first.p.child.kill('SIGTERM');
    const ended = await first.p.exited;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('troupe serve: closing');

    const second = await serve(tmp.dir);
    const list = (await second.call('GET', '/api/v1/tasks')).body;
    expect(list.runs.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(list.runs[0].status).toBe('completed');
    const events = (await second.call('GET', `/api/v1/tasks/${id}/events?limit=5000`)).body.events;
    expect(events.at(-1).event.kind).toBe('run.finished');
    second.p.child.kill('SIGTERM');
    expect((await second.p.exited).code).toBe(0);
  }, 120_000);

  it('should refuse a --db URL it cannot serve with exit code 2, and document its flags', async () => {
    using tmp = tempDir();
    const help = await runCli(['serve', '--help'], { cwd: tmp.dir });
    expect(help.stdout).toContain('--db <url>');
    expect(help.stdout).toContain('TROUPE_API_TOKEN=s3cret troupe serve --port 7070');
    const res = await runCli(['serve', '--db', 'ftp://example.org/x'], { cwd: tmp.dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unsupported database URL 'ftp://example.org/x'");
  });
});

natsSuite('troupe serve --nats', () => {
  it('should list and stream a run that `troupe run --nats` ran, and not store its events twice after a restart', {
    timeout: 240_000,
  }, async () => {
    await using nats = await startNatsServer();
    using tmp = tempDir();
    using other = tempDir();
    const flags = ['--nats', nats.url, '--namespace', 'servetest'];
    const first = await serve(tmp.dir, flags);
    const run = await runCli(['run', WORKFLOW, '--run-id', 'nr-1', '--plain', ...flags], { cwd: other.dir });
    expect(run.code, run.stderr).toBe(0);
    await expect
      .poll(async () => (await first.call('GET', '/api/v1/tasks/nr-1')).body?.status, { timeout: 60_000 })
      .toBe('completed');
    const events = (await first.call('GET', '/api/v1/tasks/nr-1/events?limit=5000')).body.events;
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    expect(events.at(-1).event.kind).toBe('run.finished');
    const progress = (await first.call('GET', '/api/v1/tasks/nr-1/progress')).body;
    expect(progress.status).toBe('completed');
    first.p.child.kill('SIGTERM');
    expect((await first.p.exited).code).toBe(0);

    const second = await serve(tmp.dir, flags);
    // The restarted server re-reads the stream from its start, skipping the stored events; a second
    // run, later in the stream, shows when it has read past the first one.
    const later = await runCli(['run', WORKFLOW, '--run-id', 'nr-2', '--plain', ...flags], {
      cwd: other.dir,
    });
    expect(later.code, later.stderr).toBe(0);
    await expect
      .poll(async () => (await second.call('GET', '/api/v1/tasks/nr-2')).body?.status, { timeout: 60_000 })
      .toBe('completed');
    expect(
      (await second.call('GET', '/api/v1/tasks')).body.runs.map((r: { id: string }) => r.id).sort(),
    ).toEqual(['nr-1', 'nr-2']);
    const again = (await second.call('GET', '/api/v1/tasks/nr-1/events?limit=5000')).body.events;
    expect(again.length).toBe(events.length);
    second.p.child.kill('SIGTERM');
    expect((await second.p.exited).code).toBe(0);
  });
});
