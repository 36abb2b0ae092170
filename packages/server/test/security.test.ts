import { describe, expect, it } from 'vitest';
import { startServer, watch } from './support.js';

const TOKEN = 'very-secret-token-42';

describe('@troupe/server security', () => {
  it('should allow only the listed CORS origins', async () => {
    await using t = await startServer({ corsOrigins: ['http://board.example'] }, TOKEN);
    const preflight = (origin: string) =>
      fetch(`${t.url}/api/v1/tasks`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    const ok = await preflight('http://board.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://board.example');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${t.url}/api/v1/tasks`, {
      headers: { origin: 'http://board.example', authorization: `Bearer ${TOKEN}` },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://board.example');
  });

  it('should never log the token, request bodies or goals, even at debug', async () => {
    const lines: string[] = [];
    const capture = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    const logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    await using t = await startServer({ logger }, TOKEN);
    const goal = 'a private goal about project nightingale';
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { goal } })).body;
    await t.call('GET', '/api/v1/tasks', { token: 'wrong-token-99' });
    const w = watch(t.url, `/ws/tasks/${id}?token=${TOKEN}`);
    expect((await w.closed).code).toBe(1000);
    // The same parameter spelled with percent-escapes (the server decodes it): masked too.
    const escaped = watch(t.url, `/ws/tasks/${id}?%74ok%65n=${TOKEN}`);
    expect((await escaped.closed).code).toBe(1000);
    await expect.poll(() => lines.filter((l) => l.includes('/ws/tasks/')).length).toBe(2);
    expect(lines.some((l) => l.includes('"status":401'))).toBe(true);
    const all = lines.join('\n');
    expect(all).toContain('token=***');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('wrong-token-99');
    expect(all).not.toContain('nightingale');
  });

  it('should fail only its own run when a workflow returns no run handle, and keep serving', async () => {
    await using t = await startServer({
      workflows: { broken: (async () => 'done') as never, alsoBroken: (() => null) as never },
    });
    for (const workflow of ['broken', 'alsoBroken']) {
      const started = await t.call('POST', '/api/v1/tasks', { body: { workflow } });
      expect(started.status).toBe(201);
      await expect
        .poll(async () => (await t.call('GET', `/api/v1/tasks/${started.body.id}`)).body.status)
        .toBe('failed');
      const record = (await t.call('GET', `/api/v1/tasks/${started.body.id}`)).body;
      expect(record.error).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('not a run handle'),
      });
    }
    expect((await t.call('GET', '/api/v1/tasks')).status).toBe(200);
  });
});
