import { type ChatMessage, createModel, runToolCalls, tool } from '@troupe/agents';
import { z } from 'zod';

// A tool: the model sees its name, description and the JSON Schema of `input`.
const weather = tool({
  name: 'weather',
  description: 'Current temperature in a city, in °C',
  input: z.object({ city: z.string() }),
  run: ({ city }) => ({ city, tempC: city === 'Oslo' ? 4 : 21 }),
});

// The shape of the final answer (structured output, validated with zod).
const Verdict = z.object({ warmer: z.enum(['Oslo', 'Rome']), difference: z.number() });

export async function main(env: Record<string, string | undefined> = process.env) {
  // Without a key: a seeded ScriptedModel playing this script. With OPENAI_API_KEY,
  // ANTHROPIC_API_KEY or TROUPE_MODEL (e.g. ollama:qwen3): the real model.
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
  const messages: ChatMessage[] = [
    { role: 'system', content: 'Use the weather tool for each city, then answer.' },
    { role: 'user', content: 'Which is warmer now, Oslo or Rome, and by how many °C?' },
  ];
  for (let turn = 0; turn < 5; turn++) {
    const result = await model.chat({ messages, tools: [weather], output: Verdict, timeout: 60_000 });
    messages.push(result.message);
    if (result.toolCalls.length === 0) return result.output;
    // The calls run in parallel; bad arguments come back to the model as an error it can fix.
    messages.push(...(await runToolCalls(result.toolCalls, [weather])));
  }
  throw new Error('no answer after 5 turns');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main()); // { warmer: 'Rome', difference: 17 }
