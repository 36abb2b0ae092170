import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../examples/weather.js';

const root = new URL('../', import.meta.url);

describe('@troupe/agents README', () => {
  it('should start with the weather example, verbatim', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const example = readFileSync(new URL('examples/weather.ts', root), 'utf8');
    expect(/```ts\n([\s\S]*?)```/.exec(readme)?.[1]).toBe(example);
  });

  it('should run the weather example without a key', async () => {
    expect(await main({})).toEqual({ warmer: 'Rome', difference: 17 });
  });
});
