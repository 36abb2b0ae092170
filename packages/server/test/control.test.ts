import { describe, expect, it } from 'vitest';
import { type Json, startServer, type TestServer } from './support.js';
import { asking, forever, Gates, gated, steerable } from './workflows.js';

const TOKEN = 'control-token';

/** The card of the sub-task named `name` in a run's progress. */
async function card(t: TestServer, id: string, name: string): Promise<Json> {
  const progress = (await t.call('GET', `/api/v1/tasks/${id}/progress`)).body;
  const stack = [...progress.subtasks];
  for (let c = stack.pop(); c; c = stack.pop()) {
    if (c.name === name) return c;
    stack.push(...c.subtasks);
  }
  return undefined;
}

describe('@troupe/server run control', () => {
  it('should pause a run (no new step starts), resume it, and answer 409 where it cannot', async () => {
    const gates = new Gates();
    await using t = await startServer({ workflows: { gated: gated(gates) } }, TOKEN);
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'gated' } })).body;
    await expect.poll(async () => (await card(t, id, 'one'))?.status).toBe('running');
    expect((await t.call('POST', `/api/v1/tasks/${id}/resume`)).status).toBe(409);
    const paused = await t.call('POST', `/api/v1/tasks/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await t.call('POST', `/api/v1/tasks/${id}/pause`)).body.error.code).toBe('CONFLICT');
    gates.open('one');
    gates.open('two');
    await expect.poll(async () => (await card(t, id, 'one'))?.status).toBe('completed');
    // Paused: `two` is not started although its gate is open.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await card(t, id, 'two'))?.status ?? 'pending').toBe('pending');
    expect((await t.call('GET', `/api/v1/tasks/${id}`)).body.status).toBe('paused');
    const resumed = await t.call('POST', `/api/v1/tasks/${id}/resume`);
    expect(resumed.body.status).toBe('running');
    await expect.poll(async () => (await t.call('GET', `/api/v1/tasks/${id}`)).body.status).toBe('completed');
    const conflict = await t.call('POST', `/api/v1/tasks/${id}/pause`);
    expect(conflict).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: `cannot pause task '${id}': it is completed` } },
    });
    expect((await t.call('DELETE', `/api/v1/tasks/${id}`)).status).toBe(409);
  });

  it('should cancel a running run', async () => {
    await using t = await startServer({ workflows: { forever } }, TOKEN);
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'forever' } })).body;
    await expect.poll(async () => (await card(t, id, 'wait'))?.status).toBe('running');
    const cancelled = await t.call('DELETE', `/api/v1/tasks/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled', error: { code: 'CANCELLED' } });
    expect((await t.call('GET', `/api/v1/tasks/${id}/progress`)).body.status).toBe('cancelled');
  });

  it('should answer a suspended sub-task, refusing an answer that does not fit (400) or a task that asks nothing (409)', async () => {
    await using t = await startServer({ workflows: { asking } }, TOKEN);
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'asking' } })).body;
    await expect.poll(async () => (await t.call('GET', `/api/v1/tasks/${id}`)).body.status).toBe('suspended');
    const approve = await card(t, id, 'approve');
    expect(approve.question.text).toBe('go on?');
    const other = await t.call('POST', `/api/v1/tasks/${id}/subtasks/nope/answer`, {
      body: { answer: { ok: true } },
    });
    expect(other.status).toBe(409);
    const bad = await t.call('POST', `/api/v1/tasks/${id}/subtasks/${approve.taskId}/answer`, {
      body: { answer: { ok: 'yes' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    const missing = await t.call('POST', `/api/v1/tasks/${id}/subtasks/${approve.taskId}/answer`, {
      body: {},
    });
    expect(missing.body.error.issues[0].path).toBe('answer');
    const ok = await t.call('POST', `/api/v1/tasks/${id}/subtasks/${approve.taskId}/answer`, {
      body: { answer: { ok: true } },
    });
    expect(ok.status).toBe(202);
    await expect.poll(async () => (await t.call('GET', `/api/v1/tasks/${id}`)).body.status).toBe('completed');
  });

  it('should steer a running runner session with messages (a real child process as the stand-in program)', async () => {
    await using t = await startServer({ workflows: { steerable, gated: gated(new Gates()) } }, TOKEN);
    const { id } = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'steerable' } })).body;
    await expect.poll(async () => (await card(t, id, 'session'))?.status).toBe('running');
    const session = await card(t, id, 'session');
    const send = (text: string) =>
      t.call('POST', `/api/v1/tasks/${id}/subtasks/${session.taskId}/messages`, { body: { text } });
    // The step attaches its session right after starting it: until then the sub-task has nothing to steer.
    await expect.poll(async () => (await send('hello')).status).toBe(202);
    expect(
      (await t.call('POST', `/api/v1/tasks/${id}/subtasks/nope/messages`, { body: { text: 'x' } })).status,
    ).toBe(404);
    expect((await send('bye')).status).toBe(202);
    await expect.poll(async () => (await t.call('GET', `/api/v1/tasks/${id}`)).body.status).toBe('completed');
    const events = (await t.call('GET', `/api/v1/tasks/${id}/events?limit=5000`)).body.events;
    const done = events.find(
      (e: Json) => e.event.kind === 'task.completed' && e.event.taskId === session.taskId,
    );
    expect(done.event.result).toEqual(expect.arrayContaining(['ready', 'got: hello', 'got: bye']));
    expect((await send('late')).status).toBe(409);
    // A sub-task without a session: 409.
    const other = (await t.call('POST', '/api/v1/tasks', { body: { workflow: 'gated' } })).body;
    await expect.poll(async () => (await card(t, other.id, 'one'))?.status).toBe('running');
    const one = await card(t, other.id, 'one');
    const none = await t.call('POST', `/api/v1/tasks/${other.id}/subtasks/${one.taskId}/messages`, {
      body: { text: 'x' },
    });
    expect(none.status).toBe(409);
    expect(none.body.error.message).toContain('no runner session');
  });
});
