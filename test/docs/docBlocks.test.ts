/**
 * Every fenced code block of every README (root and packages/*) and of packages/*\/*.md is
 * type-checked, run or checked here, so the docs cannot rot. What happens to a block is set by
 * the `<!-- doc-test: MODE -->` comment before it; CONTRIBUTING.md ("Code blocks in docs") is the
 * reference. New Markdown files in packages/ are picked up by themselves.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlocks, docFiles, ROOT } from '../support/markdownBlocks.js';
import { checkShell } from './support/checkShell.js';

const exec = promisify(execFile);
/** Inside test/, so `@troupe/*`, zod, rxjs, @nats-io/* and vitest resolve as they do for the tests. */
const DIR = join(ROOT, 'test/docs/.blocks');

const MODES: Record<string, readonly string[]> = {
  ts: ['run', 'nats', 'typecheck'],
  sh: ['check', 'consumer'],
  json: ['check', 'consumer'],
  md: ['check'],
};
/** A block's mode, its marker's or its language's default. */
const modeOf = (b: CodeBlock): string => b.mode ?? (b.lang === 'ts' ? 'run' : 'check');

const blocks = docFiles().flatMap((f) => codeBlocks(f));
const tsBlocks = blocks.filter((b) => b.lang === 'ts' && modeOf(b) !== 'consumer');
const fileOf = (b: CodeBlock) => join(DIR, `${b.id}.ts`);

/** tsc's errors per block file, from one run over all of them. */
let typeErrors: Map<string, string[]>;

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  for (const b of tsBlocks) {
    const text = `${b.prelude}${b.code}`;
    // A fragment with no import or export is still a module (top-level await, own scope).
    writeFileSync(fileOf(b), /^\s*(import|export)\s/m.test(text) ? text : `${text}export {};\n`);
  }
  writeFileSync(
    join(DIR, 'tsconfig.json'),
    JSON.stringify({ extends: '../../../tsconfig.base.json', include: ['*.ts'] }, null, 2),
  );
  typeErrors = new Map();
  try {
    await exec(join(ROOT, 'node_modules/.bin/tsc'), ['-p', DIR, '--noEmit', '--pretty', 'false'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? String(err);
    for (const line of out.split('\n').filter((l) => l.trim() !== '')) {
      const file = /^(?:.*\/)?test\/docs\/\.blocks\/([^(]+)\(/.exec(line)?.[1];
      const key = file ? join(DIR, file) : '(unattributed)';
      typeErrors.set(key, [...(typeErrors.get(key) ?? []), line]);
    }
  }
}, 300_000);

/** Runs a block file with node + tsx from source; resolves with its stdout, rejects on a non-zero exit. */
async function runBlock(b: CodeBlock, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await exec(
    process.execPath,
    ['--conditions=@troupe/source', '--import', 'tsx', fileOf(b)],
    {
      cwd: DIR,
      timeout: 90_000,
      env: { ...process.env, TROUPE_LOG: 'warn', ...env },
    },
  );
  return stdout;
}

const title = (b: CodeBlock) => `${b.file}:${b.line} (${b.lang || 'no language'}, ${modeOf(b)})`;

describe('code blocks in docs', () => {
  it('should find the docs and give every block a known language and mode', () => {
    expect(docFiles()).toEqual(expect.arrayContaining(['README.md', 'packages/nats/DURABLE.md']));
    const bad = blocks
      .filter((b) => !MODES[b.lang]?.includes(modeOf(b)))
      .map(
        (b) =>
          `${title(b)}: allowed for '${b.lang}': ${MODES[b.lang]?.join(', ') ?? 'none (use ts, sh or json)'}`,
      );
    expect(bad).toEqual([]);
    // `consumer` blocks are read by test/consumer from the root README only.
    expect(blocks.filter((b) => modeOf(b) === 'consumer' && b.file !== 'README.md').map(title)).toEqual([]);
  });

  for (const b of tsBlocks) {
    it(`${title(b)} should type-check`, () => {
      expect(typeErrors.get('(unattributed)') ?? []).toEqual([]);
      expect(typeErrors.get(fileOf(b)) ?? []).toEqual([]);
    });
  }

  for (const b of tsBlocks.filter((x) => modeOf(x) === 'run')) {
    it(`${title(b)} should run to completion`, { timeout: 120_000 }, async () => {
      await runBlock(b);
    });
  }

  for (const b of blocks.filter((x) => x.lang === 'sh' && modeOf(x) === 'check')) {
    it(`${title(b)} should name scripts, files, bins and flags that exist`, async () => {
      expect(await checkShell(b.code)).toEqual([]);
    });
  }

  for (const b of blocks.filter((x) => x.lang === 'json' && modeOf(x) === 'check')) {
    it(`${title(b)} should be valid JSON`, () => {
      expect(() => JSON.parse(b.code)).not.toThrow();
    });
  }
});

natsSuite('code blocks in docs that need NATS', () => {
  for (const b of tsBlocks.filter((x) => modeOf(x) === 'nats')) {
    it(`${title(b)} should run against a nats-server and exit by itself`, { timeout: 120_000 }, async () => {
      await using server = await startNatsServer();
      await runBlock(b, { TROUPE_NATS_URL: server.url });
    });
  }
});

it('should keep the generated block files out of git', () => {
  expect(readFileSync(join(ROOT, '.gitignore'), 'utf8')).toContain('test/docs/.blocks');
  expect(existsSync(DIR)).toBe(true);
});
