/**
 * Fenced code blocks of the repository's Markdown docs, with their `doc-test` markers: how the
 * tests know what to do with each block (see CONTRIBUTING.md, "Code blocks in docs").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One fenced block. */
export interface CodeBlock {
  /** Path of the Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string's first word (`ts`, `sh`, `json`, …), `''` when none. */
  lang: string;
  /** The block's text, ending with a newline. */
  code: string;
  /** The `doc-test` mode (first word) of the marker before the block, `undefined` when there is none. */
  mode: string | undefined;
  /** Lines of the marker after its first one: hidden code put before the block. */
  prelude: string;
  /** A short id for file names and test titles: `packages-nats-README-3`. */
  id: string;
}

/** Every Markdown file whose blocks are tested: README.md at the root and in each package, and packages/*\/*.md. */
export function docFiles(): string[] {
  const files = ['README.md', 'CONTRIBUTING.md'].filter((f) => existsSync(join(ROOT, f)));
  const packages = join(ROOT, 'packages');
  for (const pkg of readdirSync(packages).sort()) {
    const dir = join(packages, pkg);
    if (!existsSync(join(dir, 'package.json'))) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.md')) files.push(relative(ROOT, join(dir, f)));
    }
  }
  return files;
}

const MARKER = /^<!--\s*doc-test:\s*([\s\S]*?)-->\s*$/;

/** The fenced blocks of `file` (relative to the root), in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? '').trim().startsWith(fence); i++) {
      body.push((lines[i] ?? '').slice(indent.length));
    }
    const marker = markerBefore(lines, start);
    const n = blocks.length + 1;
    blocks.push({
      file,
      line: start + 1,
      lang,
      code: `${body.join('\n')}\n`,
      mode: marker?.mode,
      prelude: marker?.prelude ?? '',
      id: `${file.replace(/\.md$/, '').replace(/[^\w]+/g, '-')}-${n}`,
    });
  }
  return blocks;
}

/** The marker comment ending right before line `at` (blank lines between are allowed). */
function markerBefore(lines: string[], at: number): { mode: string; prelude: string } | undefined {
  let end = at - 1;
  while (end >= 0 && (lines[end] ?? '').trim() === '') end--;
  if (end < 0 || !(lines[end] ?? '').trim().endsWith('-->')) return undefined;
  let begin = end;
  while (begin >= 0 && !(lines[begin] ?? '').includes('<!--')) begin--;
  if (begin < 0) return undefined;
  const m = MARKER.exec(
    lines
      .slice(begin, end + 1)
      .join('\n')
      .trim(),
  );
  if (!m) return undefined;
  const [first = '', ...rest] = (m[1] ?? '').split('\n');
  // The first word is the mode; the rest of the first line is a note for readers.
  const mode = first.trim().split(/\s+/)[0] ?? '';
  return { mode, prelude: rest.length > 0 ? `${rest.join('\n').trimEnd()}\n` : '' };
}
