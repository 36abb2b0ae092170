import { createModel, ReActRun, reactAgent, tool } from '@troupe/agents';
import { createRuntime } from '@troupe/core';
import { z } from 'zod';

const weather = tool({
  name: 'weather',
  description: 'Current temperature in a city, in °C',
  input: z.object({ city: z.string() }),
  run: ({ city }) => ({ city, tempC: city === 'Oslo' ? 4 : 21 }),
});
const Verdict = z.object({ warmer: z.enum(['Oslo', 'Rome']), difference: z.number() });

export async function main(env: Record<string, string | undefined> = process.env) {
  // Without a key: a ScriptedModel playing these turns; with OPENAI_API_KEY or ANTHROPIC_API_KEY: the real model.
  const model = createModel(undefined, {
    env,
    scripted: {
      script: [
        {
          toolCalls: [
            { name: 'weather', arguments: { city: 'Oslo' } },
            { name: 'weather', arguments: { city: 'Rome' } },
          ],
        },
        { output: { warmer: 'Rome', difference: 17 } },
      ],
    },
  });
  await using runtime = createRuntime();
  await runtime.register(
    reactAgent({ type: 'forecaster', model, tools: [weather], output: Verdict, maxIterations: 5 }),
  );
  const outcome = await runtime
    .ref({ type: 'forecaster' })
    .ask(ReActRun.create({ task: 'Which is warmer now, Oslo or Rome, and by how many °C?' }), {
      timeout: 60_000,
    });
  // { status: 'completed', output: { warmer: 'Rome', difference: 17 }, ... }, or an explicit
  // { status: 'incomplete', reason: 'max_iterations' | 'repeated_tool_call', done, remaining }.
  return outcome;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
