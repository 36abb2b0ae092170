import { UnauthorizedError, ValidationError } from '@troupe/core';
import { startStandInGateway } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { GatewayRunner, SessionNotFoundError } from '../src/index.js';
import { ofKind, record } from './support.js';

describe('GatewayRunner', () => {
  it('should spawn a session and stream its progress, with the bearer token on every request', async () => {
    await using gateway = await startStandInGateway({ token: 's3cret' });
    await using runner = new GatewayRunner({
      baseUrl: gateway.url,
      token: 's3cret',
      agent: 'coder',
      pollMs: 20,
    });
    const session = await runner.start({ prompt: 'Deploy the tokens', label: 'tokens', model: 'sonnet' });
    const events = record(session.events$);
    const lines = record(session.output$);
    const result = await session.wait();
    expect(result).toMatchObject({
      status: 'completed',
      result: 'report for: Deploy the tokens',
      usage: { inputTokens: 120, outputTokens: 30 },
      costUsd: 0.01,
      artifacts: ['out/report.md'],
      sessionId: `agent-${session.id}`,
    });
    expect(events.map((e) => e.kind)).toEqual([
      'task.log',
      'task.tool_call',
      'task.tool_call',
      'task.progress',
      'task.tokens',
      'task.artifact',
      'task.progress',
    ]);
    expect(ofKind(events, 'task.progress').map((e) => e.percent)).toEqual([50, 100]);
    expect(lines).toEqual([{ stream: 'gateway', text: 'working on: Deploy the tokens' }]);
    expect(gateway.requests.every((r) => r.authorized)).toBe(true);
    expect(gateway.requests.map((r) => r.path)).toContain('/v1/sessions/list');
  });

  it('should refuse a wrong token with UnauthorizedError, without the token in the message', async () => {
    await using gateway = await startStandInGateway({ token: 'right' });
    await using runner = new GatewayRunner({ baseUrl: gateway.url, token: 'wrong-token-value' });
    const error = await runner.start({ prompt: 'x' }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(String((error as Error).message)).not.toContain('wrong-token-value');
  });

  it('should report a failed session, cancel one, and pause and resume one', async () => {
    await using gateway = await startStandInGateway({ stepMs: 30 });
    await using runner = new GatewayRunner({ baseUrl: gateway.url, token: 'test-token', pollMs: 20 });
    const failed = await runner.start({ prompt: 'scenario:fail' });
    expect(await failed.wait()).toMatchObject({ status: 'failed', error: { code: 'tool_failed' } });

    const hanging = await runner.start({ prompt: 'scenario:hang' });
    await hanging.pause();
    expect(gateway.sessions.get(hanging.id)?.status).toBe('paused');
    await hanging.resume();
    expect(gateway.sessions.get(hanging.id)?.status).toBe('running');
    await hanging.send('steer left');
    expect(gateway.sessions.get(hanging.id)?.received).toEqual(['steer left']);
    await expect(hanging.key('enter')).rejects.toBeInstanceOf(ValidationError);
    await hanging.cancel('no longer needed');
    expect(gateway.sessions.get(hanging.id)?.status).toBe('cancelled');
    expect(await hanging.wait()).toMatchObject({
      status: 'cancelled',
      error: { message: 'no longer needed' },
    });
  });

  it('should time out a session (cancelling it at the gateway)', async () => {
    await using gateway = await startStandInGateway();
    await using runner = new GatewayRunner({ baseUrl: gateway.url, token: 'test-token', pollMs: 20 });
    const session = await runner.start({ prompt: 'scenario:hang' }, { timeout: 200 });
    expect(await session.wait()).toMatchObject({ status: 'timed_out' });
    expect(gateway.sessions.get(session.id)?.status).toBe('cancelled');
  });

  it('should reattach from another runner, and fail a session the gateway forgot', async () => {
    await using gateway = await startStandInGateway({ stepMs: 30 });
    await using first = new GatewayRunner({ baseUrl: gateway.url, token: 'test-token', pollMs: 20 });
    const session = await first.start({ prompt: 'long job' });
    const waiting = session.wait();
    await first.close();
    // Closing the runner stops following: waits (pending ones too) reject; the session goes on.
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(session.wait()).rejects.toMatchObject({ code: 'CLOSED' });
    await using second = new GatewayRunner({ baseUrl: gateway.url, token: 'test-token', pollMs: 20 });
    const again = await second.reattach(session.id);
    const events = record(again.events$);
    expect(await again.wait()).toMatchObject({ status: 'completed', result: 'report for: long job' });
    expect(ofKind(events, 'task.artifact')).toHaveLength(1);
    await expect(second.reattach('nope')).rejects.toBeInstanceOf(SessionNotFoundError);

    const lost = await second.start({ prompt: 'scenario:hang' });
    gateway.forget(lost.id);
    expect(await lost.wait()).toMatchObject({ status: 'failed', error: { code: 'RUNNER_SESSION_LOST' } });
  });
});
