import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../packages/pipelines/examples/quickstart.js';

const root = new URL('../../packages/pipelines/', import.meta.url);

describe('@troupe/pipelines README', () => {
  it('should start with the quickstart example, verbatim', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const example = readFileSync(new URL('examples/quickstart.ts', root), 'utf8');
    const firstBlock = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(firstBlock).toBe(example);
  });

  it('should run the quickstart example', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const out = await main();
      expect(out).toEqual({ progress: '3/3', shouted: ['NOTES ON ACTORS', 'actors on notes'] });
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines.join('\n')).toContain('TaskGroup docs: 3/3 done');
      // The pipeline's progress lines only ever go up (they once read 33% then 25%).
      const percents = lines.flatMap((l) => /^(?:running|completed) (\d+)%$/.exec(l)?.[1] ?? []).map(Number);
      expect(percents.length).toBeGreaterThan(2);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(lines.filter((l) => l.endsWith('%')).at(-1)).toBe('completed 100%');
    } finally {
      log.mockRestore();
    }
  });

  it('should show the MsgHub example verbatim, with the output it prints', { timeout: 120_000 }, async () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const section = readme.slice(readme.indexOf('## MsgHub'));
    const [code, output] = [...section.matchAll(/```(?:ts|md)\n([\s\S]*?)```/g)].map((m) => m[1]);
    const example = new URL('examples/msghub.ts', root);
    expect(code).toBe(readFileSync(example, 'utf8'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', fileURLToPath(example)],
      { timeout: 90_000 },
    );
    expect(stdout).toBe(output);
  });
});
