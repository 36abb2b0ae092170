import { PassThrough } from 'node:stream';
import { CancelledError, createRuntime, TimeoutError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ReActRun,
  reactAgent,
  runReAct,
  ScriptedModel,
  scriptedChannel,
  startHttpChannel,
  terminalChannel,
  tool,
  UserApprove,
  UserAsk,
  type UserChannel,
  userAgent,
} from '../src/index.js';

async function withUser(channel: UserChannel, timeout?: number) {
  const runtime = createRuntime();
  await runtime.register(userAgent({ channel, ...(timeout === undefined ? {} : { timeout }) }));
  return { runtime, user: runtime.ref({ type: 'user' }) };
}

describe('userAgent', () => {
  it('should ask through its channel, and ask again until the answer is one of the choices', async () => {
    const channel = scriptedChannel(['maybe', 'blue']);
    const { runtime, user } = await withUser(channel);
    await using _ = runtime;
    expect(await user.ask(UserAsk.create({ question: 'Which colour?', choices: ['red', 'blue'] }))).toEqual({
      answer: 'blue',
    });
    expect(channel.prompts.map((p) => [p.kind, p.text, p.choices])).toEqual([
      ['question', 'Which colour?', ['red', 'blue']],
      ['question', 'Which colour? (answer one of: red, blue)', ['red', 'blue']],
    ]);
  });

  it('should time out: with TimeoutError, or the default when the question has one', async () => {
    const { runtime, user } = await withUser(scriptedChannel([]), 50);
    await using _ = runtime;
    await expect(user.ask(UserAsk.create({ question: 'Anyone?' }))).rejects.toBeInstanceOf(TimeoutError);
    expect(await user.ask(UserAsk.create({ question: 'Anyone?', default: 'no one' }))).toEqual({
      answer: 'no one',
      timedOut: true,
    });
  });

  it('should stop waiting, and withdraw the prompt, when the asker cancels', async () => {
    let seen: AbortSignal | undefined;
    const channel: UserChannel = {
      ask: (_prompt, { signal }) => {
        seen = signal;
        return new Promise<string>(() => {});
      },
    };
    const { runtime, user } = await withUser(channel);
    await using _ = runtime;
    const controller = new AbortController();
    const asked = user.ask(UserAsk.create({ question: 'Still there?' }), { signal: controller.signal });
    await expect.poll(() => seen).toBeDefined();
    controller.abort(new CancelledError('never mind'));
    await expect(asked).rejects.toBeInstanceOf(CancelledError);
    expect(seen?.aborted).toBe(true);
  });

  it('should turn answers into approvals and refusals; silence is a refusal', async () => {
    const channel = scriptedChannel(['Yes', 'n', 'not on a Friday']);
    const { runtime, user } = await withUser(channel, 50);
    await using _ = runtime;
    const approve = () => user.ask(UserApprove.create({ tool: 'deploy', arguments: { env: 'prod' } }));
    expect(await approve()).toEqual({ approved: true });
    expect(await approve()).toEqual({ approved: false });
    expect(await approve()).toEqual({ approved: false, reason: 'not on a Friday' });
    expect(await approve()).toEqual({ approved: false, reason: 'no answer within 50 ms' });
    expect(channel.prompts[0]).toMatchObject({
      kind: 'approval',
      text: 'Allow deploy?',
      tool: 'deploy',
      arguments: { env: 'prod' },
    });
  });
});

describe('approvals of ReAct tool calls', () => {
  function deployTool(ran: string[]) {
    return tool({
      name: 'deploy',
      description: 'Deploys a service',
      input: z.object({ service: z.string(), env: z.enum(['staging', 'prod']) }),
      needsApproval: ({ env }) => env === 'prod',
      run: ({ service, env }) => {
        ran.push(`${service}@${env}`);
        return 'deployed';
      },
    });
  }
  const script = () =>
    new ScriptedModel({
      script: [
        {
          toolCalls: [
            { name: 'deploy', arguments: { service: 'api', env: 'staging' } },
            { name: 'deploy', arguments: { service: 'api', env: 'prod' } },
          ],
        },
        { text: 'Done.' },
      ],
    });

  it('should ask the user agent before a flagged call runs, and tell the model about a refusal', async () => {
    const ran: string[] = [];
    const channel = scriptedChannel(['not on a Friday']);
    const model = script();
    await using runtime = createRuntime();
    await runtime.register(userAgent({ channel }));
    await runtime.register(reactAgent({ model, tools: [deployTool(ran)], approver: { type: 'user' } }));
    const outcome = await runtime
      .ref({ type: 'react', key: 'ops' })
      .ask(ReActRun.create({ task: 'Ship the API' }));
    expect(outcome).toMatchObject({ status: 'completed', answer: 'Done.' });
    expect(ran).toEqual(['api@staging']);
    expect(channel.prompts).toEqual([
      expect.objectContaining({
        kind: 'approval',
        tool: 'deploy',
        arguments: { service: 'api', env: 'prod' },
        from: 'react/ops',
      }),
    ]);
    const observations = model.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(observations.map((m) => m.content)).toEqual([
      'deployed',
      'Error: the user refused deploy: not on a Friday; it did not run',
    ]);
  });

  it('should run the call once approved', async () => {
    const ran: string[] = [];
    await using runtime = createRuntime();
    await runtime.register(userAgent({ channel: scriptedChannel(['y']) }));
    await runtime.register(
      reactAgent({ model: script(), tools: [deployTool(ran)], approver: { type: 'user' } }),
    );
    await runtime.ref({ type: 'react' }).ask(ReActRun.create({ task: 'Ship the API' }));
    expect(ran).toEqual(['api@staging', 'api@prod']);
  });

  it('should refuse a flagged call when nobody can approve it', async () => {
    const ran: string[] = [];
    const model = script();
    await runReAct({ task: 'Ship the API' }, { model, tools: [deployTool(ran)] });
    expect(ran).toEqual(['api@staging']);
    expect(model.requests[1]!.messages.at(-1)!.content).toBe(
      'Error: deploy needs approval and no approver is configured; it did not run',
    );
  });
});

describe('terminalChannel', () => {
  it('should print the prompt and read the typed line', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    using channel = terminalChannel({ input, output });
    const { runtime, user } = await withUser(channel);
    await using _ = runtime;
    const asked = user.ask(UserApprove.create({ tool: 'rm', arguments: { path: '/tmp/x' } }));
    await expect.poll(() => printed).toContain('allow? [y/N]');
    expect(printed).toContain('rm({"path":"/tmp/x"})');
    input.write('yes\n');
    expect(await asked).toEqual({ approved: true });
    const question = user.ask(UserAsk.create({ question: 'Name?' }));
    await expect.poll(() => printed).toContain('Name? ');
    input.write('Ada\n');
    expect(await question).toEqual({ answer: 'Ada' });
  });

  it('should withdraw the question on abort', async () => {
    const input = new PassThrough();
    using channel = terminalChannel({ input, output: new PassThrough() });
    const controller = new AbortController();
    const asked = channel.ask({ id: '1', kind: 'question', text: 'Hello?' }, { signal: controller.signal });
    controller.abort(new CancelledError('bye'));
    await expect(asked).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('startHttpChannel', () => {
  it('should list open prompts and take answers over HTTP, behind a bearer token', async () => {
    await using channel = await startHttpChannel({ token: 's3cret' });
    const { runtime, user } = await withUser(channel);
    await using _ = runtime;
    const auth = { authorization: 'Bearer s3cret' };
    const asked = user.ask(UserAsk.create({ question: 'Deploy now?', choices: ['yes', 'no'] }));
    expect((await fetch(`${channel.url}/prompts`)).status).toBe(401);
    let prompts: Array<{ id: string; text: string }> = [];
    await expect
      .poll(async () => {
        prompts = (await (await fetch(`${channel.url}/prompts`, { headers: auth })).json()) as typeof prompts;
        return prompts.length;
      })
      .toBe(1);
    expect(prompts[0]).toMatchObject({ kind: 'question', text: 'Deploy now?', choices: ['yes', 'no'] });
    const post = (id: string, body: string) =>
      fetch(`${channel.url}/prompts/${id}`, { method: 'POST', headers: auth, body });
    expect((await post('nope', '{"answer":"yes"}')).status).toBe(404);
    expect((await post(prompts[0]!.id, '{"reply":"yes"}')).status).toBe(400);
    expect((await post(prompts[0]!.id, '{"answer":"yes"}')).status).toBe(204);
    expect(await asked).toEqual({ answer: 'yes' });
    expect(channel.pending()).toEqual([]);
  });

  it('should refuse an answer body over its size bound', async () => {
    await using channel = await startHttpChannel({ maxBodyBytes: 32 });
    const controller = new AbortController();
    const asked = channel.ask({ id: 'p1', kind: 'question', text: 'Hi?' }, { signal: controller.signal });
    const post = (body: string) => fetch(`${channel.url}/prompts/p1`, { method: 'POST', body });
    expect((await post(JSON.stringify({ answer: 'x'.repeat(100) }))).status).toBe(400);
    expect((await post('{"answer":"short"}')).status).toBe(204);
    expect(await asked).toBe('short');
  });

  it('should drop a prompt whose ask was cancelled', async () => {
    await using channel = await startHttpChannel();
    const controller = new AbortController();
    const asked = channel.ask({ id: 'p1', kind: 'question', text: 'Hi?' }, { signal: controller.signal });
    expect(channel.pending().map((p) => p.id)).toEqual(['p1']);
    controller.abort(new CancelledError('gone'));
    await expect(asked).rejects.toBeInstanceOf(CancelledError);
    expect(channel.pending()).toEqual([]);
    expect(
      (await fetch(`${channel.url}/prompts/p1`, { method: 'POST', body: '{"answer":"x"}' })).status,
    ).toBe(404);
  });
});
