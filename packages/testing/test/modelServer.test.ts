import { describe, expect, it } from 'vitest';
import { anthropicEvents, chatCompletionChunks, startModelServer } from '../src/index.js';

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    ...(signal ? { signal } : {}),
  });

describe('startModelServer', () => {
  it('should answer queued replies in order, record requests, and 500 when the queue is empty', async () => {
    await using server = await startModelServer();
    server.reply({ json: { a: 1 } }, { status: 429, headers: { 'retry-after': '3' }, json: { error: {} } });
    const first = await post(`${server.url}/v1/x`, { q: 1 });
    expect([first.status, await first.json(), first.headers.get('x-request-id')]).toEqual([
      200,
      { a: 1 },
      'req_1',
    ]);
    const second = await post(`${server.url}/v1/x`, {});
    expect([second.status, second.headers.get('retry-after'), second.headers.get('request-id')]).toEqual([
      429,
      '3',
      'req_2',
    ]);
    await second.body?.cancel();
    const third = await post(`${server.url}/v1/x`, {});
    expect(third.status).toBe(500);
    await third.body?.cancel();
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/v1/x', { q: 1 }],
      ['POST', '/v1/x', {}],
      ['POST', '/v1/x', {}],
    ]);
    expect(await server.requests[0]!.closed).toEqual({ finished: true });
  });

  it('should frame SSE events with their names, and [DONE] as raw data', async () => {
    await using server = await startModelServer();
    server.reply(
      { sse: anthropicEvents({ text: 'hi' }).slice(0, 1) },
      { sse: chatCompletionChunks({ text: 'hi' }) },
    );
    const named = await (await post(server.url, {})).text();
    expect(named).toMatch(/^event: message_start\ndata: \{"type":"message_start",/);
    const plain = await (await post(server.url, {})).text();
    expect(plain.startsWith('data: {')).toBe(true);
    expect(plain.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('should cut a stream by killing the connection, after flushing what it wrote', async () => {
    await using server = await startModelServer();
    server.reply({ sse: [{ data: { n: 1 } }], cut: 'destroy' });
    const response = await post(server.url, {});
    const reader = response.body!.getReader();
    const chunks: string[] = [];
    const err = await (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        chunks.push(new TextDecoder().decode(value));
      }
    })().catch((e: unknown) => e);
    expect(chunks.join('')).toBe('data: {"n":1}\n\n');
    expect(err).toBeInstanceOf(Error);
  });

  it('should see a hung request’s connection close when the client aborts', async () => {
    await using server = await startModelServer();
    server.reply({ hang: true });
    const controller = new AbortController();
    const pending = post(server.url, {}, controller.signal).catch((e: unknown) => e);
    await expect.poll(() => server.requests.length).toBe(1);
    controller.abort();
    await pending;
    expect(await server.requests[0]!.closed).toEqual({ finished: false });
  });
});
