import { CancelledError, createRuntime } from '@troupe/core';
import { startModelServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ReActRun, reactAgent, runReAct, tool } from '../src/index.js';
import { standIns } from './support/standIns.js';

const Verdict = z.object({ warmer: z.enum(['Oslo', 'Rome']), difference: z.number() });
const calls = [
  { id: 'call_oslo', name: 'weather', arguments: '{"city":"Oslo"}' },
  { id: 'call_rome', name: 'weather', arguments: '{"city":"Rome"}' },
];

describe.each(standIns)('reactAgent on the $name stand-in (real SDK)', (standIn) => {
  it('should run two tool calls in parallel and answer with the structured output', async () => {
    await using server = await startModelServer();
    // Anthropic's wire carries arguments as an object, so its malformed call fails the schema instead.
    const anthropic = standIn.name.startsWith('anthropic');
    const bad = anthropic ? '{"town":"Rome"}' : '{"city":';
    server.reply(
      standIn.json({ toolCalls: calls }),
      standIn.json({ toolCalls: [{ id: 'call_bad', name: 'weather', arguments: bad }] }),
      standIn.json({ text: '{"warmer":"Rome","difference":17}' }),
    );
    const inFlight = { now: 0, max: 0 };
    const weather = tool({
      name: 'weather',
      description: 'Current temperature in a city, °C',
      input: z.object({ city: z.string() }),
      run: async ({ city }) => {
        inFlight.max = Math.max(inFlight.max, ++inFlight.now);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight.now--;
        return { city, tempC: city === 'Oslo' ? 4 : 21 };
      },
    });
    await using runtime = createRuntime();
    await runtime.register(reactAgent({ model: standIn.model(server), tools: [weather], output: Verdict }));
    const outcome = await runtime
      .ref({ type: 'react' })
      .ask(ReActRun.create({ task: 'Which is warmer, Oslo or Rome?' }), { timeout: 20_000 });
    expect(outcome).toMatchObject({
      status: 'completed',
      output: { warmer: 'Rome', difference: 17 },
      iterations: 3,
      toolCalls: 3,
    });
    expect(inFlight.max).toBe(2);
    const second = JSON.stringify(server.requests[1]!.body);
    expect(second).toContain('call_oslo');
    expect(second).toContain('\\"tempC\\":21');
    // The malformed arguments reached the model as an error observation.
    expect(JSON.stringify(server.requests[2]!.body)).toContain(
      anthropic ? 'invalid arguments for weather: city' : 'arguments are not valid JSON',
    );
  });

  it('should close the model request when the run is cancelled; the server sees the connection close', async () => {
    await using server = await startModelServer();
    server.reply({ hang: true });
    await using runtime = createRuntime();
    await runtime.register(reactAgent({ model: standIn.model(server) }));
    const controller = new AbortController();
    const asked = runtime
      .ref({ type: 'react' })
      .ask(ReActRun.create({ task: 'Think hard.' }), { signal: controller.signal, timeout: 20_000 });
    await expect.poll(() => server.requests.length, { timeout: 10_000 }).toBe(1);
    controller.abort(new CancelledError('user pressed stop'));
    await expect(asked).rejects.toBeInstanceOf(CancelledError);
    expect(await server.requests[0]!.closed).toEqual({ finished: false });
  });
});

describe('reactAgent cancelled while a tool runs (stand-in model)', () => {
  it('should abort the running tool', async () => {
    const standIn = standIns[0]!;
    await using server = await startModelServer();
    server.reply(standIn.json({ toolCalls: [{ id: 'c1', name: 'build', arguments: '{}' }] }));
    let toolSignal: AbortSignal | undefined;
    const build = tool({
      name: 'build',
      description: 'a long build',
      input: z.object({}),
      run: (_input, { signal }) => {
        toolSignal = signal;
        return new Promise<never>(() => {});
      },
    });
    await using runtime = createRuntime();
    await runtime.register(reactAgent({ model: standIn.model(server), tools: [build] }));
    const controller = new AbortController();
    const asked = runtime
      .ref({ type: 'react' })
      .ask(ReActRun.create({ task: 'Build it.' }), { signal: controller.signal, timeout: 20_000 });
    await expect.poll(() => toolSignal, { timeout: 10_000 }).toBeDefined();
    controller.abort(new CancelledError('user pressed stop'));
    await expect(asked).rejects.toBeInstanceOf(CancelledError);
    expect(toolSignal?.aborted).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a long run on a real SDK', () => {
  it('should not leave the SDK’s listeners on the caller’s signal', async () => {
    const standIn = standIns[0]!;
    await using server = await startModelServer();
    for (let i = 0; i < 15; i++) {
      server.reply(standIn.json({ toolCalls: [{ id: `c${i}`, name: 'tick', arguments: `{"n":${i}}` }] }));
    }
    server.reply(standIn.json({ text: 'done' }));
    const tick = tool({
      name: 'tick',
      description: 'tick',
      input: z.object({ n: z.number() }),
      run: ({ n }) => n,
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const outcome = await runReAct(
        { task: 'Tick 15 times.' },
        { model: standIn.model(server), tools: [tick], signal: controller.signal, maxIterations: 20 },
      );
      expect(outcome).toMatchObject({ status: 'completed', toolCalls: 15 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
