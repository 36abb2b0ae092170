import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}`], {
    cwd: root,
    timeout: 60_000,
    env: { ...process.env, TROUPE_LOG: 'warn' },
  });
  return stdout;
}

describe('examples', () => {
  it('should run the README quick-start example, which is the file in examples/', async () => {
    expect(await example('quickstart.ts')).toBe('HELLO TROUPE!\n');
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const code = readFileSync(`${root}examples/quickstart.ts`, 'utf8').trim();
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]?.trim() ?? '';
    expect(block.replace(/ \/\/ HELLO TROUPE!$/m, '')).toBe(code);
  });

  it('should run the demo: a coordinator, three researchers, a writer, then a TaskGroup of reviews, with live progress', async () => {
    const out = await example('demo.ts');
    expect(out).toMatch(/team\.researcher\/_0 +task\.started/);
    expect(out).toMatch(/team\.researcher\/_2 +task\.completed/);
    expect(out).toContain('# actor runtimes for agents');
    expect(out).toMatch(/review 4\/4 {2}\w+ completed/);
    expect(out).toContain('TaskGroup review the report: 4/4 done — 4 completed, 0 failed');
    expect(out).toMatch(/progress 100% · 13\/13 tasks completed · 3 tool calls/);
    // Each run's overall progress only ever goes up, to 100.
    for (const run of ['research', 'review']) {
      const percents = [...out.matchAll(new RegExp(`^progress ${run} (\\d+)%$`, 'gm'))].map((m) =>
        Number(m[1]),
      );
      expect(percents.length, run).toBeGreaterThan(3);
      expect(percents, run).toEqual([...percents].sort((a, b) => a - b));
      expect(percents.at(-1), run).toBe(100);
    }
  });
});
