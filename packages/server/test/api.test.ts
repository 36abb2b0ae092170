import { describe, expect, it } from 'vitest';
import { startServer, upgradeStatus, watch } from './support.js';
import { Gates, gated } from './workflows.js';

const TOKEN = 'test-token-123';

describe('@troupe/server HTTP API', () => {
  it('should refuse requests without the right bearer token (401), HTTP and WebSocket', async () => {
    await using t = await startServer({}, TOKEN);
    expect((await t.call('GET', '/api/v1/tasks', { token: null })).status).toBe(401);
    const wrong = await t.call('GET', '/api/v1/tasks', { token: 'nope' });
    expect(wrong).toEqual({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED', message: 'wrong bearer token' } },
    });
    expect((await t.call('GET', '/api/v1/openapi.json', { token: null })).status).toBe(401);
    expect((await t.call('GET', '/api/v1/tasks')).status).toBe(200);
    const started = await t.call('POST', '/api/v1/tasks', { body: { goal: 'x' } });
    const id = started.body.id as string;
    expect(await upgradeStatus(t.url, `/ws/tasks/${id}`)).toBe(401);
    expect(await upgradeStatus(t.url, `/ws/tasks/${id}?token=nope`)).toBe(401);
    expect(await upgradeStatus(t.url, `/ws/tasks/${id}?token=${TOKEN}`)).toBe(101);
    expect(await upgradeStatus(t.url, `/ws/tasks/${id}`, { authorization: `Bearer ${TOKEN}` })).toBe(101);
    const viaProtocol = watch(t.url, `/ws/tasks/${id}`, { protocols: ['troupe', `bearer.${TOKEN}`] });
    await new Promise((resolve) => viaProtocol.ws.once('open', resolve));
    expect(viaProtocol.ws.protocol).toBe('troupe');
    viaProtocol.ws.close();
  });

  it('should answer 400 naming each field for invalid bodies and queries', async () => {
    await using t = await startServer({ workflows: { known: gated(new Gates()) } }, TOKEN);
    const none = await t.call('POST', '/api/v1/tasks', { body: {} });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('VALIDATION');
    expect(none.body.error.issues).toEqual([
      { path: 'goal', message: 'give exactly one of goal or workflow' },
    ]);
    const both = await t.call('POST', '/api/v1/tasks', { body: { goal: 'a', workflow: 'known' } });
    expect(both.body.error.issues[0].path).toBe('goal');
    const typed = await t.call('POST', '/api/v1/tasks', {
      body: { goal: 'a', options: { maxConcurrency: 0, extra: 1 } },
    });
    expect(typed.status).toBe(400);
    expect(typed.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'options',
      'options.maxConcurrency',
    ]);
    const unknown = await t.call('POST', '/api/v1/tasks', { body: { workflow: 'nope' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues).toEqual([
      { path: 'workflow', message: 'not registered (known: known)' },
    ]);
    const badJson = await t.call('POST', '/api/v1/tasks', { raw: '{"goal":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('VALIDATION');
    const status = await t.call('GET', '/api/v1/tasks?status=running,sleeping');
    expect(status.status).toBe(400);
    expect(status.body.error.issues[0]).toEqual({
      path: 'status',
      message: expect.stringContaining("unknown status 'sleeping'"),
    });
    expect((await t.call('GET', '/api/v1/tasks?limit=501')).body.error.issues[0].path).toBe('limit');
    expect((await t.call('GET', '/api/v1/tasks?cursor=garbage')).body.error.issues[0].path).toBe('cursor');
    // Only plain decimal integers: Number() would read these as 16, 10, 5 and 5.
    for (const bad of ['0x10', '1e1', '%205', '5.0', '-1', '']) {
      const page = await t.call('GET', `/api/v1/tasks/x/events?after=${bad}`);
      expect(page.status, bad).toBe(400);
      expect(page.body.error.issues[0].path, bad).toBe('after');
    }
    const text = await fetch(`${t.url}/api/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/xml' },
      body: '<goal/>',
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const message = await t.call('POST', '/api/v1/tasks/x/subtasks/y/messages', { body: { text: '' } });
    expect(message.body.error.issues[0].path).toBe('text');
  });

  it('should refuse bodies over the limit with 413', async () => {
    await using t = await startServer({ bodyLimit: 1000 }, TOKEN);
    const big = await t.call('POST', '/api/v1/tasks', { body: { goal: 'g'.repeat(2000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('should answer 404 for unknown tasks and routes, before a WebSocket upgrade too', async () => {
    await using t = await startServer({}, TOKEN);
    for (const path of [
      '/api/v1/tasks/nope',
      '/api/v1/tasks/nope/progress',
      '/api/v1/tasks/nope/events',
      '/api/v1/nothing',
    ]) {
      const res = await t.call('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await t.call('POST', '/api/v1/tasks/nope/pause')).status).toBe(404);
    expect((await t.call('DELETE', '/api/v1/tasks/nope')).status).toBe(404);
    expect(await upgradeStatus(t.url, `/ws/tasks/nope?token=${TOKEN}`)).toBe(404);
  });

  it('should start a goal, run it to completion and list, page and replay it', async () => {
    await using t = await startServer({}, TOKEN);
    const started = await t.call('POST', '/api/v1/tasks', { body: { goal: 'compare actor runtimes' } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ goal: 'compare actor runtimes', status: 'running', progress: 0 });
    const id = started.body.id as string;
    await expect
      .poll(async () => (await t.call('GET', `/api/v1/tasks/${id}`)).body.status, { timeout: 30_000 })
      .toBe('completed');
    const run = (await t.call('GET', `/api/v1/tasks/${id}`)).body;
    expect(run.progress).toBe(1);
    expect(run.tokens.input).toBeGreaterThan(0);
    const progress = (await t.call('GET', `/api/v1/tasks/${id}/progress`)).body;
    expect(progress.status).toBe('completed');
    expect(progress.overallProgress).toBe(100);
    const page1 = (await t.call('GET', `/api/v1/tasks/${id}/events?limit=5`)).body;
    expect(page1.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page1.nextAfter).toBe(5);
    const rest = (await t.call('GET', `/api/v1/tasks/${id}/events?after=5&limit=5000`)).body;
    expect(rest.nextAfter).toBeUndefined();
    expect(rest.events.at(-1).event.kind).toBe('run.finished');
    await t.call('POST', '/api/v1/tasks', { body: { goal: 'second' } });
    const list = (await t.call('GET', '/api/v1/tasks?limit=1')).body;
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0].goal).toBe('second');
    const next = (await t.call('GET', `/api/v1/tasks?limit=1&cursor=${list.nextCursor}`)).body;
    expect(next.runs.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(next.nextCursor).toBeUndefined();
    const done = (await t.call('GET', '/api/v1/tasks?status=completed')).body;
    expect(done.runs.map((r: { id: string }) => r.id)).toEqual([id]);
    // A finished run's WebSocket: its final snapshot, then `end`.
    const w = watch(t.url, `/ws/tasks/${id}?token=${TOKEN}`);
    expect((await w.closed).code).toBe(1000);
    expect(w.messages.map((m) => m.type)).toEqual(['snapshot', 'end']);
    expect(w.messages[0]?.seq).toBe(rest.events.at(-1).seq);
  });

  it('should serve an OpenAPI 3.1 document generated from the zod schemas', async () => {
    await using t = await startServer({}, TOKEN);
    const doc = (await t.call('GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/v1/tasks'].post.requestBody.content['application/json'].schema;
    expect(create.properties.goal).toMatchObject({ type: 'string', maxLength: 20000 });
    expect(create.properties.options.properties.maxConcurrency).toMatchObject({
      type: 'integer',
      minimum: 1,
    });
    const params = doc.paths['/api/v1/tasks/{id}/events'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(['id', 'after', 'limit']);
    expect(doc.components.schemas.RunRecord.properties.status.enum).toContain('suspended');
  });
});
