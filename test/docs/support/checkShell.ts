/**
 * Static checks of a shell block from the docs: it parses, and every command names something that
 * exists — a root package.json script, a bin in node_modules/.bin, a repository file, a flag the
 * program documents. Running these commands literally would need other machines or recurse into
 * the test suite; what they start is run for real by test/examples and test/consumer.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findNatsServer, NATS_INSTALL_MESSAGE } from '@troupe/testing';
import { ROOT } from '../../support/markdownBlocks.js';

const exec = promisify(execFile);
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const workerUsage = readFileSync(join(ROOT, 'packages/nats/src/workerCli.ts'), 'utf8');
const PNPM_COMMANDS = new Set(['install', 'i', 'add', 'exec']);
const TROUPE_COMMANDS = new Set([
  'run',
  'worker',
  'watch',
  'status',
  'ls',
  'replay',
  'pause',
  'resume',
  'cancel',
  'answer',
  'serve',
]);
const troupeHelps = new Map<string, Promise<string>>();
/** `troupe <command> --help`, from source (the worker's flags are the troupe-worker usage). */
function troupeHelp(command: string): Promise<string> {
  if (command === 'worker') return Promise.resolve(workerUsage);
  let help = troupeHelps.get(command);
  if (help === undefined) {
    help = exec(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', 'packages/cli/src/bin/troupe.ts', command, '--help'],
      {
        cwd: ROOT,
      },
    ).then((r) => r.stdout);
    troupeHelps.set(command, help);
  }
  return help;
}
const OTHER_COMMANDS = new Set(['apt-get', 'npm', 'cd', 'export', 'service']);

let natsHelp: string | undefined;
async function natsServerHelp(): Promise<string> {
  if (natsHelp === undefined) {
    const bin = findNatsServer();
    if (bin === undefined) throw new Error(NATS_INSTALL_MESSAGE);
    // nats-server --help exits 0 on some versions and 1 on others; the text is what matters.
    const { stdout, stderr } = await exec(bin, ['--help']).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    natsHelp = `${stdout}${stderr}`;
  }
  return natsHelp;
}

/** Problems found in `code`; empty when it checks out. */
export async function checkShell(code: string): Promise<string[]> {
  const problems: string[] = [];
  try {
    await exec('bash', ['-n', '-c', code]);
  } catch (err) {
    problems.push(`does not parse: ${(err as Error).message}`);
  }
  const lines = code
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
  for (const line of lines) {
    for (const command of line.split(/&&|\|\||;|\|/)) {
      const words = command.trim().split(/\s+/).filter(Boolean);
      while (words[0] !== undefined && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) words.shift();
      if (words.length > 0) problems.push(...(await checkCommand(words)));
    }
  }
  return problems;
}

async function checkCommand(words: string[]): Promise<string[]> {
  const [cmd = '', sub = '', ...rest] = words;
  // Paths are checked for commands run in this repository; `npx` runs in a user's project.
  const problems = words
    .filter(() => cmd !== 'npx')
    .filter((w) => /^[\w.-]+\/[\w./-]+\.(ts|mts|js|mjs|json|md)$/.test(w))
    .filter((w) => !existsSync(join(ROOT, w)))
    .map((w) => `${words.join(' ')}: no file ${w} in the repository`);
  if (cmd === 'pnpm') {
    if (sub === 'exec') {
      if (!existsSync(join(ROOT, 'node_modules/.bin', rest[0] ?? '')))
        problems.push(`pnpm exec: no bin ${rest[0]}`);
    } else if (sub === 'troupe') {
      problems.push(...(await checkTroupe(rest)));
    } else if (sub === 'worker') {
      problems.push(...unknownFlags(rest, workerUsage, 'troupe-worker'));
    } else if (!(sub in scripts) && !PNPM_COMMANDS.has(sub)) {
      problems.push(`pnpm ${sub}: not a root package.json script`);
    }
  } else if (cmd === 'troupe' || (cmd === 'npx' && sub === 'troupe')) {
    problems.push(...(await checkTroupe(cmd === 'troupe' ? [sub, ...rest] : rest)));
  } else if (cmd === 'npx' && sub === 'troupe-worker') {
    problems.push(...unknownFlags(rest, workerUsage, 'troupe-worker'));
  } else if (cmd === 'nats-server') {
    problems.push(...unknownFlags([sub, ...rest], await natsServerHelp(), 'nats-server'));
  } else if (!OTHER_COMMANDS.has(cmd)) {
    problems.push(`${cmd}: a command checkShell does not know; teach it in test/docs/support/checkShell.ts`);
  }
  return problems;
}

/** A `troupe` command line: a known command, each flag in its `--help`. */
async function checkTroupe(args: string[]): Promise<string[]> {
  const [command = '', ...rest] = args;
  if (command === '--help' || command === '--version') return [];
  if (!TROUPE_COMMANDS.has(command)) return [`troupe ${command}: not a troupe command`];
  return unknownFlags(rest, await troupeHelp(command), `troupe ${command}`);
}

function unknownFlags(args: string[], usage: string, program: string): string[] {
  return args
    .filter((a) => a.startsWith('-'))
    .map((a) => a.split('=')[0] ?? a)
    .filter(
      (flag) => !new RegExp(`(^|[\\s,\\[])${flag.replace(/[-]/g, '\\-')}([\\s,\\]=<]|$)`, 'm').test(usage),
    )
    .map((flag) => `${program}: unknown flag ${flag}`);
}
