import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main as planner } from '../examples/planner.js';
import { main as react } from '../examples/react.js';
import { main as strategy } from '../examples/strategy.js';
import { main as tracker } from '../examples/tracker.js';
import { main as user } from '../examples/user.js';
import { main as weather } from '../examples/weather.js';
import { scriptedChannel } from '../src/index.js';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const example = (name: string) => readFileSync(new URL(`examples/${name}.ts`, root), 'utf8');

describe('@troupe/agents README', () => {
  it('should start with the weather example, verbatim', () => {
    expect(blocks[0]).toBe(example('weather'));
  });

  it.each(['react', 'planner', 'strategy', 'tracker', 'user'])(
    'should show examples/%s.ts verbatim',
    (name) => {
      expect(blocks).toContain(example(name));
    },
  );

  it('should run the weather example without a key', async () => {
    expect(await weather({})).toEqual({ warmer: 'Rome', difference: 17 });
  });

  it('should run the agent examples without a key', async () => {
    expect(await react({})).toMatchObject({
      status: 'completed',
      output: { warmer: 'Rome', difference: 17 },
    });
    expect(await planner({})).toEqual(['research (researcher) after []', 'draft (writer) after [research]']);
    expect(await strategy({})).toEqual([
      "refactor → coder (anthropic:claude-opus-4-1): rule 'big code' matched: tags [code], estimated 1800 s ≥ 600 s",
      "fix-typo → coder (anthropic:claude-sonnet-4-6): rule 'code' matched: tags [code]",
      'docs → writer: model: it is documentation',
    ]);
    expect(await tracker({})).toEqual({ status: 'completed', overall: 100, remainingMs: 0, tokens: true });
    const channel = scriptedChannel(['yes']);
    expect(await user({}, channel)).toMatchObject({ status: 'completed', answer: 'Deployed.', toolCalls: 1 });
    expect(channel.prompts).toMatchObject([
      { kind: 'approval', tool: 'deploy', arguments: { service: 'api', env: 'prod' } },
    ]);
  });
});
