import { startModelServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ChatMessage,
  type ChatModel,
  type ChatResult,
  runToolCalls,
  ScriptedModel,
  type Tool,
  tool,
} from '../src/index.js';
import { recorder, standIns } from './support/standIns.js';

const Verdict = z.object({ warmer: z.enum(['Oslo', 'Rome']), difference: z.number() });

/** Both tool calls must be running at once for either to finish: proof that they run in parallel. */
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
    output: z.object({ city: z.string(), tempC: z.number() }),
    run: async ({ city }) => {
      started.push(city);
      if (started.length === 2) release();
      await bothStarted;
      return { city, tempC: city === 'Oslo' ? 4 : 21 };
    },
  });
  return { weather, started };
}

/** The smallest ReAct loop: call the model, run its tool calls, feed the results back, until it answers. */
async function toolLoop(
  model: ChatModel,
  tools: Tool[],
  progress = recorder(),
): Promise<ChatResult<z.infer<typeof Verdict>>> {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'Use the weather tool for each city, then answer.' },
    { role: 'user', content: 'Which is warmer now, Oslo or Rome, and by how much?' },
  ];
  for (let turn = 0; turn < 4; turn++) {
    const result = await model.chat({ messages, tools, output: Verdict, progress, timeout: 10_000 });
    messages.push(result.message);
    if (result.toolCalls.length === 0) return result;
    messages.push(...(await runToolCalls(result.toolCalls, tools, { progress })));
  }
  throw new Error('the loop did not finish');
}

const calls = [
  { id: 'call_oslo', name: 'weather', arguments: '{"city":"Oslo"}' },
  { id: 'call_rome', name: 'weather', arguments: '{"city":"Rome"}' },
];
const verdict = '{"warmer":"Rome","difference":17}';

describe('a tool loop: two tools in parallel, then a structured answer', () => {
  it('should run on ScriptedModel', async () => {
    const { weather, started } = parallelWeather();
    const model = new ScriptedModel({
      script: [
        {
          toolCalls: [
            { name: 'weather', arguments: { city: 'Oslo' } },
            { name: 'weather', arguments: { city: 'Rome' } },
          ],
        },
        { output: { warmer: 'Rome', difference: 17 } },
      ],
    });
    const progress = recorder();
    const result = await toolLoop(model, [weather], progress);
    expect(result.output).toEqual({ warmer: 'Rome', difference: 17 });
    expect(started.sort()).toEqual(['Oslo', 'Rome']);
    const second = model.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(second.map((m) => JSON.parse(m.content))).toEqual([
      { city: 'Oslo', tempC: 4 },
      { city: 'Rome', tempC: 21 },
    ]);
    expect(model.requests[0]!.tools).toEqual(['weather']);
    expect(progress.events.map((e) => `${e.kind}:${e.status ?? ''}`)).toEqual([
      'task.model_call:',
      'task.tokens:',
      'task.tool_call:started',
      'task.tool_call:started',
      'task.tool_call:succeeded',
      'task.tool_call:succeeded',
      'task.model_call:',
      'task.tokens:',
    ]);
  });

  it('should send a bad argument back to the model as an observation and carry on', async () => {
    const { weather } = parallelWeather();
    const model = new ScriptedModel({
      script: [
        {
          toolCalls: [
            { name: 'weather', arguments: '{"city": "Oslo"' },
            { name: 'weather', arguments: { town: 'Rome' } },
          ],
        },
        {
          toolCalls: [
            { name: 'weather', arguments: { city: 'Oslo' } },
            { name: 'weather', arguments: { city: 'Rome' } },
          ],
        },
        { output: { warmer: 'Rome', difference: 17 } },
      ],
    });
    const result = await toolLoop(model, [weather]);
    expect(result.output?.warmer).toBe('Rome');
    const observations = model.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(observations.map((m) => [m.isError, m.content])).toEqual([
      [true, expect.stringMatching(/^Error: arguments are not valid JSON/)],
      [true, expect.stringMatching(/^Error: invalid arguments for weather: city: /)],
    ]);
  });

  describe.each(standIns)('on the $name stand-in', (standIn) => {
    it('should run the same loop through the real SDK', async () => {
      await using server = await startModelServer();
      server.reply(standIn.json({ toolCalls: calls }), standIn.json({ text: verdict }));
      const { weather, started } = parallelWeather();
      const result = await toolLoop(standIn.model(server), [weather]);
      expect(result.output).toEqual({ warmer: 'Rome', difference: 17 });
      expect(started.sort()).toEqual(['Oslo', 'Rome']);
      const second = JSON.stringify(server.requests[1]!.body);
      expect(second).toContain('call_oslo');
      expect(second).toContain('call_rome');
      expect(second).toContain('\\"tempC\\":21');
    });

    it('should run the same loop streaming', async () => {
      await using server = await startModelServer();
      server.reply({ sse: standIn.sse({ toolCalls: calls }) }, { sse: standIn.sse({ text: verdict }) });
      const { weather } = parallelWeather();
      const model = standIn.model(server);
      const messages: ChatMessage[] = [{ role: 'user', content: 'Which is warmer, Oslo or Rome?' }];
      let final: ChatResult<z.infer<typeof Verdict>> | undefined;
      while (!final) {
        let result: ChatResult<z.infer<typeof Verdict>> | undefined;
        for await (const event of model.stream({ messages, tools: [weather], output: Verdict })) {
          if (event.type === 'done') result = event.result;
        }
        messages.push(result!.message);
        if (result!.toolCalls.length === 0) final = result;
        else messages.push(...(await runToolCalls(result!.toolCalls, [weather])));
      }
      expect(final.output).toEqual({ warmer: 'Rome', difference: 17 });
    });
  });
});
