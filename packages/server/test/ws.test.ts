import { describe, expect, it } from 'vitest';
import { type Json, startServer, type TestServer, type WsMessage, watch } from './support.js';
import { bursts, chatty, Gates } from './workflows.js';

const TOKEN = 'ws-token';

/** Checks that `messages` give every event exactly once from `from` + 1 (snapshots may jump ahead; lagged resets). */
function expectContiguous(messages: readonly WsMessage[], from: number): number {
  let seq = from;
  for (const m of messages) {
    if (m.type === 'event') {
      expect(m.seq, 'event seq').toBe(seq + 1);
      seq = m.seq;
    } else if (m.type === 'snapshot') {
      expect(m.seq).toBeGreaterThanOrEqual(seq);
      seq = m.seq;
    }
  }
  return seq;
}

async function status(t: TestServer, id: string): Promise<string> {
  return (await t.call('GET', `/api/v1/tasks/${id}`)).body.status;
}

describe('@troupe/server WebSocket', () => {
  it('should send a snapshot, then events; a reconnect with `after` resumes with no gap and no duplicate', async () => {
    const gates = new Gates();
    await using t = await startServer({ workflows: { bursts: bursts(gates) } }, TOKEN);
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'bursts' } })).body;
    const first = watch(t.url, `/ws/tasks/${id}?token=${TOKEN}`);
    await expect.poll(() => first.messages.length).toBeGreaterThan(0);
    expect(first.messages[0]?.type).toBe('snapshot');
    gates.open('b0');
    gates.open('b1');
    await expect
      .poll(() => first.messages.filter((m) => m.type === 'event' && m.event.kind === 'task.log').length)
      .toBe(200);
    first.ws.close();
    await first.closed;
    const last = expectContiguous(first.messages, 0);
    // While disconnected, more events.
    gates.open('b2');
    await expect
      .poll(
        async () =>
          (await t.call('GET', `/api/v1/tasks/${id}/events?after=${last}&limit=5000`)).body.events.length,
      )
      .toBe(100);
    const second = watch(t.url, `/ws/tasks/${id}?after=${last}&token=${TOKEN}`);
    await expect.poll(() => second.messages.length).toBeGreaterThanOrEqual(100);
    expect(second.messages.some((m) => m.type === 'snapshot')).toBe(false);
    gates.open('b3');
    gates.open('b4');
    expect((await second.closed).code).toBe(1000);
    expect(second.messages.at(-1)).toMatchObject({ type: 'end', run: { status: 'completed' } });
    const end = expectContiguous(second.messages, last);
    // Every seq came once over the two connections, and they are the stored log's seqs and events.
    const log = (await t.call('GET', `/api/v1/tasks/${id}/events?limit=5000`)).body.events as Json[];
    expect(log.at(-1).seq).toBe(end);
    const seen = [...first.messages, ...second.messages].filter((m) => m.type === 'event');
    const bySeq = new Map(log.map((e) => [e.seq, e.event]));
    for (const m of seen) expect(m.event).toEqual(bySeq.get(m.seq));
    expect(new Set(seen.map((m) => m.seq)).size).toBe(seen.length);
  });

  it('should send a snapshot to a reconnect whose `after` is older than the events it keeps', async () => {
    const gates = new Gates();
    await using t = await startServer(
      { workflows: { bursts: bursts(gates, 2) }, live: { ringSize: 50 } },
      TOKEN,
    );
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'bursts' } })).body;
    gates.open('b0');
    await expect
      .poll(async () => (await t.call('GET', `/api/v1/tasks/${id}/events?limit=5000`)).body.events.length)
      .toBeGreaterThan(100);
    const late = watch(t.url, `/ws/tasks/${id}?after=1&token=${TOKEN}`);
    await expect.poll(() => late.messages.length).toBeGreaterThan(0);
    expect(late.messages[0]).toMatchObject({ type: 'snapshot', run: { id } });
    expect(late.messages[0]?.seq).toBeGreaterThan(100);
    gates.open('b1');
    await late.closed;
    expectContiguous(late.messages, 0);
  });

  it('should keep a stalled client bounded (lagged, then a fresh snapshot) without slowing a 10,000-event run', async () => {
    const limits = { highWater: 256 * 1024, maxQueue: 1000, maxQueueBytes: 1024 * 1024 };
    await using t = await startServer({ workflows: { chatty }, ws: limits }, TOKEN);
    const input = { count: 10_000, size: 2000 }; // ≈ 20 MB of frames: more than the socket buffers hold
    const timed = async (during?: (id: string) => Promise<void>): Promise<{ id: string; ms: number }> => {
      const { id, createdAt } = (
        await t.call('POST', '/api/v1/tasks', { body: { workflow: 'chatty', options: { input } } })
      ).body;
      await during?.(id);
      await expect.poll(() => status(t, id), { timeout: 60_000, interval: 50 }).toBe('completed');
      return { id, ms: (await t.call('GET', `/api/v1/tasks/${id}`)).body.updatedAt - createdAt };
    };
    const baseline = await timed();

    let stalled: ReturnType<typeof watch> | undefined;
    let held = 0;
    const sampler = setInterval(() => {
      for (const c of t.server.clients()) held = Math.max(held, c.queuedBytes + c.bufferedBytes);
    }, 5);
    const slow = await timed(async (id) => {
      stalled = watch(t.url, `/ws/tasks/${id}?token=${TOKEN}`);
      const ws = stalled.ws;
      await new Promise((resolve) => ws.once('open', resolve));
      ws.pause(); // stops reading its socket: the server's writes back up
    });
    clearInterval(sampler);
    // The run finished while the client read nothing.
    const client = t.server.clients().find((c) => c.runId === slow.id);
    expect(client?.lagCount).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(limits.highWater);
    expect(held).toBeLessThan(limits.highWater + limits.maxQueueBytes + 512 * 1024);
    expect(slow.ms).toBeLessThan(baseline.ms * 5 + 5_000);

    // Once it reads again: what it had, `lagged`, a fresh snapshot, the rest, `end`; no gap, no duplicate.
    const w = stalled as ReturnType<typeof watch>;
    w.ws.resume();
    expect((await w.closed).code).toBe(1000);
    const types = w.messages.map((m) => m.type);
    const lagged = types.indexOf('lagged');
    expect(lagged).toBeGreaterThan(0);
    expect(types[lagged + 1]).toBe('snapshot');
    expect(types.at(-1)).toBe('end');
    const final = expectContiguous(w.messages, 0);
    const log = (await t.call('GET', `/api/v1/tasks/${slow.id}/events?after=10000&limit=5000`)).body
      .events as Json[];
    expect(final).toBe(log.at(-1).seq);
    console.log(
      `10k-event run: ${baseline.ms} ms alone, ${slow.ms} ms with a stalled client; held at most ${held} bytes for it`,
    );
  });
});
