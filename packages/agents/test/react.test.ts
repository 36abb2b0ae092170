import {
  CancelledError,
  createRuntime,
  MemoryStore,
  type ProgressEvent,
  ProgressEventSchema,
} from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ReActOutcome,
  type ReActProtocol,
  ReActRun,
  reactAgent,
  runReAct,
  ScriptedModel,
  type Tool,
  tool,
} from '../src/index.js';
import { recorder } from './support/standIns.js';

const Verdict = z.object({ warmer: z.enum(['Oslo', 'Rome']), difference: z.number() });
const task = { task: 'Which is warmer now, Oslo or Rome, and by how many °C?' };
const both = [
  { name: 'weather', arguments: { city: 'Oslo' } },
  { name: 'weather', arguments: { city: 'Rome' } },
];

/** Neither call can finish before both started: proof the two calls run at the same time. */
function parallelWeather(): { weather: Tool; started: string[] } {
  const started: string[] = [];
  let release!: () => void;
  const bothStarted = new Promise<void>((resolve) => {
    release = resolve;
  });
  const weather = tool({
    name: 'weather',
    description: 'Current temperature in a city, °C',
    input: z.object({ city: z.string() }),
    run: async ({ city }) => {
      started.push(city);
      if (started.length === 2) release();
      await bothStarted;
      return { city, tempC: city === 'Oslo' ? 4 : 21 };
    },
  });
  return { weather, started };
}

describe('runReAct', () => {
  it('should run two tool calls in parallel and return the structured final answer', async () => {
    const { weather, started } = parallelWeather();
    const model = new ScriptedModel({
      script: [{ toolCalls: both }, { output: { warmer: 'Rome', difference: 17 } }],
    });
    const progress = recorder();
    const outcome = await runReAct(task, {
      model,
      tools: [weather],
      output: Verdict,
      progress,
      timeout: 10_000,
    });
    expect(outcome).toEqual({
      status: 'completed',
      answer: '{"warmer":"Rome","difference":17}',
      output: { warmer: 'Rome', difference: 17 },
      iterations: 2,
      toolCalls: 2,
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
    expect(started.sort()).toEqual(['Oslo', 'Rome']);
    const observations = model.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(observations.map((m) => JSON.parse(m.content).tempC)).toEqual([4, 21]);
    expect(model.requests[0]!.output).toMatchObject({ type: 'object', required: ['warmer', 'difference'] });
    expect(progress.events.map((e) => `${e.kind}${e.status ? `:${e.status}` : ''}`)).toEqual([
      'task.progress',
      'task.model_call',
      'task.tokens',
      'task.progress',
      'task.tool_call:started',
      'task.tool_call:started',
      'task.tool_call:succeeded',
      'task.tool_call:succeeded',
      'task.progress',
      'task.model_call',
      'task.tokens',
    ]);
    expect(progress.events.filter((e) => e.kind === 'task.progress').map((e) => e.step)).toEqual([
      'step 1/10: thinking',
      'step 1/10: calling weather, weather',
      'step 2/10: thinking',
    ]);
  });

  it('should stop a repeated identical tool call with an explicit outcome', async () => {
    let runs = 0;
    const lookup = tool({
      name: 'lookup',
      description: 'Looks something up',
      input: z.object({ q: z.string(), page: z.number() }),
      run: () => {
        runs++;
        return 'nothing new';
      },
    });
    // The same call each turn (key order differs: still the same call).
    const model = new ScriptedModel({
      script: [
        { toolCalls: [{ name: 'lookup', arguments: { q: 'x', page: 1 } }] },
        { toolCalls: [{ name: 'lookup', arguments: '{"page":1,"q":"x"}' }] },
        { text: 'Let me check once more.', toolCalls: [{ name: 'lookup', arguments: { q: 'x', page: 1 } }] },
        { text: 'never reached' },
      ],
    });
    const progress = recorder();
    const outcome = await runReAct(task, { model, tools: [lookup], progress });
    expect(outcome).toMatchObject({
      status: 'incomplete',
      reason: 'repeated_tool_call',
      repeated: { tool: 'lookup', arguments: '{"q":"x","page":1}', times: 3 },
      done: ['lookup({"q":"x","page":1}) → ok', 'lookup({"page":1,"q":"x"}) → ok'],
      lastMessage: 'Let me check once more.',
      iterations: 3,
      toolCalls: 2,
    });
    expect(runs).toBe(2);
    expect(model.requests).toHaveLength(3);
    expect(progress.events.at(-1)).toMatchObject({ kind: 'task.log', level: 'warn' });
  });

  it('should let different arguments through, and honour maxIdenticalCalls', async () => {
    const echo = tool({
      name: 'echo',
      description: 'echo',
      input: z.object({ n: z.number() }),
      run: ({ n }) => n,
    });
    const model = new ScriptedModel({
      script: [
        { toolCalls: [{ name: 'echo', arguments: { n: 1 } }] },
        { toolCalls: [{ name: 'echo', arguments: { n: 2 } }] },
        { toolCalls: [{ name: 'echo', arguments: { n: 1 } }] },
        { text: 'done' },
      ],
    });
    expect(await runReAct(task, { model, tools: [echo], maxIdenticalCalls: 3 })).toMatchObject({
      status: 'completed',
      answer: 'done',
      toolCalls: 3,
    });
    const strict = new ScriptedModel({
      script: [
        { toolCalls: [{ name: 'echo', arguments: { n: 1 } }] },
        { toolCalls: [{ name: 'echo', arguments: { n: 1 } }] },
      ],
    });
    expect(await runReAct(task, { model: strict, tools: [echo], maxIdenticalCalls: 2 })).toMatchObject({
      reason: 'repeated_tool_call',
      toolCalls: 1,
    });
  });

  it('should return incomplete with done and remaining when the budget is spent, not the model’s prose', async () => {
    const step = tool({
      name: 'step',
      description: 'one step',
      input: z.object({ n: z.number() }),
      run: ({ n }) => `did ${n}`,
    });
    const model = new ScriptedModel({
      script: (_request, { index }) => ({
        text: `15% done, next I'll do step ${index + 2}`,
        toolCalls: [{ name: 'step', arguments: { n: index + 1 } }],
      }),
    });
    const outcome = await runReAct(
      { ...task, maxIterations: 3 },
      { model, tools: [step], maxIterations: 99 },
    );
    expect(outcome).toEqual({
      status: 'incomplete',
      reason: 'max_iterations',
      done: ['step({"n":1}) → ok', 'step({"n":2}) → ok', 'step({"n":3}) → ok'],
      remaining: `no final answer yet to the task: ${task.task}`,
      lastMessage: "15% done, next I'll do step 4",
      iterations: 3,
      toolCalls: 3,
      usage: expect.any(Object),
    });
    expect(model.requests).toHaveLength(3);
  });

  it('should send malformed tool arguments back to the model as an observation and carry on', async () => {
    const { weather } = parallelWeather();
    const model = new ScriptedModel({
      script: [
        {
          toolCalls: [
            { name: 'weather', arguments: '{"city": "Oslo"' },
            { name: 'weather', arguments: { town: 'Rome' } },
          ],
        },
        { toolCalls: both },
        { output: { warmer: 'Rome', difference: 17 } },
      ],
    });
    const outcome = await runReAct(task, { model, tools: [weather], output: Verdict });
    expect(outcome).toMatchObject({ status: 'completed', output: { warmer: 'Rome', difference: 17 } });
    const observations = model.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(observations.map((m) => [m.isError, m.content])).toEqual([
      [true, expect.stringMatching(/^Error: arguments are not valid JSON/)],
      [true, expect.stringMatching(/^Error: invalid arguments for weather: city: /)],
    ]);
    expect(outcome.status === 'completed' || outcome.done).toBe(true);
  });

  it('should send a final answer that fails the schema back to the model', async () => {
    const model = new ScriptedModel({
      script: [
        { output: { warmer: 'Paris', difference: 3 } },
        { output: { warmer: 'Rome', difference: 17 } },
      ],
    });
    const outcome = await runReAct(task, { model, output: Verdict });
    expect(outcome).toMatchObject({ status: 'completed', output: { warmer: 'Rome' }, iterations: 2 });
    expect(model.requests[1]!.messages.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringMatching(/^Your final answer was rejected: .*warmer/),
    });
  });

  it('should have the model continue an answer cut at the token limit, not return half of it', async () => {
    const model = new ScriptedModel({
      script: [{ text: 'Rome is warmer, by ', stopReason: 'max_tokens' }, { text: '17 °C.' }],
    });
    expect(await runReAct(task, { model })).toMatchObject({
      status: 'completed',
      answer: 'Rome is warmer, by 17 °C.',
      iterations: 2,
    });
    expect(model.requests[1]!.messages.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringContaining('cut off'),
    });
    const stingy = new ScriptedModel({ script: () => ({ text: 'and so on ', stopReason: 'max_tokens' }) });
    expect(await runReAct({ ...task, maxIterations: 2 }, { model: stingy })).toMatchObject({
      status: 'incomplete',
      reason: 'max_iterations',
      lastMessage: 'and so on and so on ',
    });
  });

  it('should stop the running tool when aborted mid-run', async () => {
    let toolSignal: AbortSignal | undefined;
    const slow = tool({
      name: 'slow',
      description: 'takes forever',
      input: z.object({}),
      run: (_input, { signal }) => {
        toolSignal = signal;
        return new Promise<never>(() => {});
      },
    });
    const model = new ScriptedModel({ script: [{ toolCalls: [{ name: 'slow', arguments: {} }] }] });
    const controller = new AbortController();
    const running = runReAct(task, { model, tools: [slow], signal: controller.signal });
    await expect.poll(() => toolSignal).toBeDefined();
    controller.abort(new CancelledError('stop'));
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(toolSignal?.aborted).toBe(true);
  });

  it('should not pile listeners on the caller’s signal over a long run', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      // A careless tool: it listens on its signal and never lets go.
      const careless = tool({
        name: 'careless',
        description: 'listens and forgets',
        input: z.object({ n: z.number() }),
        run: ({ n }, { signal }) => {
          signal.addEventListener('abort', () => {});
          return n;
        },
      });
      const model = new ScriptedModel({
        latencyMs: 1,
        script: (_r, { index }) =>
          index < 30 ? { toolCalls: [{ name: 'careless', arguments: { n: index } }] } : { text: 'done' },
      });
      const controller = new AbortController();
      const outcome = await runReAct(task, {
        model,
        tools: [careless],
        signal: controller.signal,
        maxIterations: 40,
      });
      expect(outcome).toMatchObject({ status: 'completed', toolCalls: 30 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('should stop the model request when aborted while the model thinks', async () => {
    const model = new ScriptedModel({ script: [{ text: 'late', latencyMs: 60_000 }] });
    const controller = new AbortController();
    const running = runReAct(task, { model, signal: controller.signal });
    await expect.poll(() => model.requests.length).toBe(1);
    controller.abort(new CancelledError('stop'));
    await expect(running).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('reactAgent', () => {
  it('should answer react.run with the outcome and report progress on the run', async () => {
    const { weather } = parallelWeather();
    const model = new ScriptedModel({
      script: [{ toolCalls: both }, { output: { warmer: 'Rome', difference: 17 } }],
    });
    await using runtime = createRuntime();
    await runtime.register(reactAgent({ type: 'weatherman', model, tools: [weather], output: Verdict }));
    const events: ProgressEvent[] = [];
    const sub = runtime.progress$.subscribe((e) => events.push(e));
    const outcome: ReActOutcome<z.infer<typeof Verdict>> = await runtime
      .ref<ReActProtocol<z.infer<typeof Verdict>>>({ type: 'weatherman' })
      .ask(ReActRun.create(task), { timeout: 10_000, runId: 'run-1' });
    sub.unsubscribe();
    expect(outcome).toMatchObject({ status: 'completed', output: { warmer: 'Rome', difference: 17 } });
    expect(new Set(events.map((e) => e.runId))).toEqual(new Set(['run-1']));
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'task.started',
        'task.progress',
        'task.model_call',
        'task.tokens',
        'task.tool_call',
        'task.completed',
      ]),
    );
    for (const e of events) expect(() => ProgressEventSchema.parse(e)).not.toThrow();
    const succeeded = events.find((e) => e.kind === 'task.tool_call' && e.status === 'succeeded');
    expect(succeeded).toMatchObject({ result: { city: 'Oslo', tempC: 4 } });
  });

  it('should keep a conversation per keyed instance with memory, and none without', async () => {
    const model = new ScriptedModel({
      script: (request) => ({ text: `I have seen ${request.messages.length} messages` }),
    });
    await using runtime = createRuntime();
    await runtime.register(
      reactAgent({ type: 'remembers', model, memory: { maxTokens: 4_000 }, instructions: 'Be brief.' }),
    );
    await runtime.register(reactAgent({ type: 'forgets', model }));
    const ann = runtime.ref({ type: 'remembers', key: 'ann' });
    const bob = runtime.ref({ type: 'remembers', key: 'bob' });
    const ask = async (ref: typeof ann, text: string) =>
      ((await ref.ask(ReActRun.create({ task: text }), { timeout: 5_000 })) as { answer: string }).answer;
    expect(await ask(ann, 'one')).toBe('I have seen 2 messages'); // system + task
    expect(await ask(ann, 'two')).toBe('I have seen 4 messages'); // + answer + task
    expect(await ask(bob, 'one')).toBe('I have seen 2 messages');
    const forgets = runtime.ref({ type: 'forgets', key: 'ann' });
    expect(await ask(forgets, 'one')).toBe('I have seen 1 messages');
    expect(await ask(forgets, 'two')).toBe('I have seen 1 messages');
  });

  it('should keep the memory across passivation, and leave it as it was after a failed run', async () => {
    const seen: number[] = [];
    const model = new ScriptedModel({
      script: (request) => {
        seen.push(request.messages.length);
        const last = request.messages.at(-1)!;
        if (last.role === 'user' && last.content === 'fail')
          return { toolCalls: [{ name: 'boom', arguments: {} }] };
        return { text: 'ok' };
      },
    });
    const boom = tool({
      name: 'boom',
      description: 'never returns in time',
      input: z.object({}),
      run: (_i, { signal }) =>
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    await using runtime = createRuntime({ store: new MemoryStore() });
    await runtime.register(
      reactAgent({ type: 'keeper', model, tools: [boom], memory: true, passivateAfterMs: 50 }),
    );
    const keeper = runtime.ref({ type: 'keeper', key: 'k' });
    await keeper.ask(ReActRun.create({ task: 'one' }));
    await expect.poll(() => runtime.stats().instances, { timeout: 5_000 }).toBe(0);
    await keeper.ask(ReActRun.create({ task: 'two' }));
    await expect(keeper.ask(ReActRun.create({ task: 'fail' }), { timeout: 300 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    await keeper.ask(ReActRun.create({ task: 'three' }));
    // one: [task]; two (after passivation): [one, ok, two]; fail: [.., fail]; three: the failed turn is gone.
    expect(seen).toEqual([1, 3, 5, 5]);
  });

  it('should reject with the cancellation and stop the model when the asker cancels', async () => {
    const model = new ScriptedModel({ script: [{ text: 'late', latencyMs: 60_000 }] });
    await using runtime = createRuntime();
    await runtime.register(reactAgent({ model }));
    const controller = new AbortController();
    const asked = runtime
      .ref({ type: 'react' })
      .ask(ReActRun.create(task), { signal: controller.signal, timeout: 30_000 });
    await expect.poll(() => model.requests.length).toBe(1);
    controller.abort(new CancelledError('user pressed stop'));
    await expect(asked).rejects.toBeInstanceOf(CancelledError);
  });
});
