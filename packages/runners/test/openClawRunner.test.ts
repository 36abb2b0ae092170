import { MemoryStore, TransportError, UnauthorizedError, ValidationError } from '@troupe/core';
import { startStandInOpenClaw } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { OpenClawRunner, type OpenClawRunnerOptions } from '../src/index.js';
import { ofKind, record } from './support.js';

const TOKEN = 'gateway-token-do-not-log';

function runner(url: string, options: Partial<OpenClawRunnerOptions> = {}): OpenClawRunner {
  return new OpenClawRunner({ url, token: TOKEN, waitSliceMs: 200, reconnectBackoffMs: 20, ...options });
}

describe('OpenClawRunner', () => {
  it('should answer the challenge with a v4 connect, then create, subscribe, send and wait', async () => {
    await using gateway = await startStandInOpenClaw({ token: TOKEN });
    await using openclaw = runner(gateway.url, { model: 'sonnet' });
    const session = await openclaw.start({ prompt: 'Compare the options', label: 'compare' });
    const events = record(session.events$);
    const result = await session.wait();
    expect(result).toMatchObject({ status: 'completed', result: 'answer to: Compare the options' });
    expect(result.sessionId).toMatch(/^agent:main:dashboard:/);
    expect(gateway.methods.slice(0, 4)).toEqual([
      'sessions.create',
      'sessions.messages.subscribe',
      'sessions.send',
      'agent.wait',
    ]);
    const connect = JSON.parse(gateway.frames[0] as string) as {
      method: string;
      params: Record<string, unknown>;
    };
    expect(connect).toMatchObject({
      method: 'connect',
      params: {
        minProtocol: 4,
        maxProtocol: 4,
        role: 'operator',
        scopes: ['operator.read', 'operator.write'],
        client: { id: 'gateway-client', mode: 'backend' },
        auth: { token: TOKEN },
      },
    });
    expect(ofKind(events, 'task.tool_call').map((e) => [e.tool, e.status, e.callId])).toEqual([
      ['bash', 'started', 'call_1'],
      ['bash', 'succeeded', 'call_1'],
    ]);
    expect(ofKind(events, 'task.log').map((e) => e.message)).toEqual(['answer to: Compare the options']);
  });

  it('should refuse a wrong token (error frame) with UnauthorizedError, never showing the token', async () => {
    await using gateway = await startStandInOpenClaw({ token: 'the-right-one' });
    await using openclaw = runner(gateway.url);
    const error = await openclaw.start({ prompt: 'hi' }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(
      JSON.stringify({ message: (error as Error).message, data: (error as UnauthorizedError).data }),
    ).not.toContain(TOKEN);
    expect(gateway.connects()).toBe(0);
    // A refused token is final: no reconnect storm.
    await expect(openclaw.start({ prompt: 'again' })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(gateway.frames).toHaveLength(1);
  });

  it('should survive a dropped connection: reconnect, re-subscribe, and follow the run to its end', async () => {
    await using gateway = await startStandInOpenClaw({ token: TOKEN, stepMs: 200 });
    await using openclaw = runner(gateway.url);
    const session = await openclaw.start({ prompt: 'long research' });
    const events = record(session.events$);
    await expect.poll(() => ofKind(events, 'task.tool_call').length).toBeGreaterThan(0);
    gateway.dropConnections();
    const result = await session.wait({ timeout: 10_000 });
    expect(result).toMatchObject({ status: 'completed', result: 'answer to: long research' });
    expect(gateway.connects()).toBe(2);
    expect(gateway.methods.filter((m) => m === 'sessions.messages.subscribe')).toHaveLength(2);
  });

  it('should fail with TransportError when the gateway is gone for good', async () => {
    const gateway = await startStandInOpenClaw({ token: TOKEN, stepMs: 80 });
    await using openclaw = runner(gateway.url, { reconnectAttempts: 2 });
    const session = await openclaw.start({ prompt: 'scenario:hang' });
    await gateway.close();
    const result = await session.wait({ timeout: 10_000 });
    expect(result).toMatchObject({ status: 'failed', error: { code: new TransportError('x').code } });
  });

  it('should report a failed run, abort on cancel, and reject pause and keys', async () => {
    await using gateway = await startStandInOpenClaw({ token: TOKEN });
    await using openclaw = runner(gateway.url);
    const failed = await openclaw.start({ prompt: 'scenario:fail' });
    const events = record(failed.events$);
    expect(await failed.wait()).toMatchObject({
      status: 'failed',
      error: { code: 'error', message: 'tool failed: bash' },
    });
    expect(ofKind(events, 'task.tool_call').at(-1)).toMatchObject({ status: 'failed' });

    const hanging = await openclaw.start({ prompt: 'scenario:hang' });
    await expect(hanging.pause()).rejects.toBeInstanceOf(ValidationError);
    await expect(hanging.key('enter')).rejects.toBeInstanceOf(ValidationError);
    await hanging.cancel('stop');
    expect(await hanging.wait()).toMatchObject({ status: 'cancelled' });
    expect(gateway.methods).toContain('sessions.abort');
    expect([...gateway.runs.values()].find((r) => r.message === 'scenario:hang')?.status).toBe('aborted');
  });

  it('should reattach by id from another runner through the store', async () => {
    await using gateway = await startStandInOpenClaw({ token: TOKEN, stepMs: 60 });
    const store = new MemoryStore();
    await using first = runner(gateway.url, { store });
    const session = await first.start({ prompt: 'shared work' });
    await first.close();
    await using second = runner(gateway.url, { store });
    const again = await second.reattach(session.id);
    const result = await again.wait({ timeout: 10_000 });
    expect(result).toMatchObject({ status: 'completed' });
    const finished = await second.reattach(session.id);
    expect(await finished.wait()).toEqual(result);
  });
});
