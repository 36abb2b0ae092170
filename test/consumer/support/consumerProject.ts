/**
 * A project outside the workspace that uses Troupe as a user would: the public packages built,
 * packed with `pnpm pack`, and installed with npm from the tarballs (peers from the registry),
 * following the root README's "Use it in your project" blocks literally.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type CodeBlock, codeBlocks, ROOT } from '../../support/markdownBlocks.js';

const exec = promisify(execFile);

/** The packages a user installs: every workspace package that is not private. */
export function publicPackages(): { name: string; dir: string }[] {
  const packages = join(ROOT, 'packages');
  return readdirSync(packages)
    .sort()
    .flatMap((d) => {
      const dir = join(packages, d);
      let pkg: { name: string; private?: boolean };
      try {
        pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
      } catch {
        return [];
      }
      return pkg.private ? [] : [{ name: pkg.name, dir }];
    });
}

/**
 * The environment of a user's shell: this process's, without what the workspace adds (the
 * `@troupe/source` condition in NODE_OPTIONS, pnpm's `npm_*` variables), with npm's cache in
 * `node_modules/.cache` keyed by the lockfile, and this Node first on PATH.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || /^npm_/i.test(k) || /^PNPM_/i.test(k) || k.startsWith('VITEST')) continue;
    env[k] = v;
  }
  env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  env.npm_config_cache = npmCache();
  env.npm_config_prefer_offline = 'true';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  env.TROUPE_LOG = 'warn';
  return { ...env, ...extra };
}

/** npm's cache for consumer installs, one per lockfile (older ones are removed). */
function npmCache(): string {
  const base = join(ROOT, 'node_modules/.cache/troupe-consumer');
  const key = createHash('sha256')
    .update(readFileSync(join(ROOT, 'pnpm-lock.yaml')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(base, `npm-${key}`);
  mkdirSync(base, { recursive: true });
  for (const old of readdirSync(base)) {
    if (old !== `npm-${key}`) rmSync(join(base, old), { recursive: true, force: true });
  }
  return dir;
}

/** Runs `command` in a shell in `cwd` as a user would; rejects with its output when it fails. */
export async function sh(
  command: string,
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await exec('bash', ['-eo', 'pipefail', '-c', command], {
      cwd,
      env: options.env ?? userEnv(),
      timeout: options.timeout ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`\`${command}\` failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The blocks of the root README marked `<!-- doc-test: consumer -->`, in order. */
export function consumerBlocks(): CodeBlock[] {
  return codeBlocks('README.md').filter((b) => b.mode === 'consumer');
}

/** A consumer project made from the packed packages. */
export interface ConsumerProject extends Disposable {
  /** The project directory (outside the workspace). */
  readonly dir: string;
  /** Tarball path of each public package, by name. */
  readonly tarballs: ReadonlyMap<string, string>;
  /** Every block of the README's "Use it in your project" that this project was made from. */
  readonly blocks: readonly CodeBlock[];
  /** The README's `sh` blocks after the install ones: how the user builds and runs. */
  readonly runCommands: readonly string[];
}

/**
 * Builds and packs the public packages, then makes a project in a fresh temp directory: `npm init
 * -y`, the README's package.json and tsconfig.json merged in, and the README's install commands run
 * with each `@troupe/*` name replaced by its tarball (every other public package is installed too).
 */
export async function makeConsumerProject(): Promise<ConsumerProject> {
  await sh('pnpm build', ROOT, { env: process.env });
  const packDir = mkdtempSync(join(tmpdir(), 'troupe-packs-'));
  const dir = mkdtempSync(join(tmpdir(), 'troupe-consumer-'));
  const project = {
    dir,
    tarballs: new Map<string, string>(),
    blocks: consumerBlocks(),
    runCommands: [] as string[],
    [Symbol.dispose]() {
      rmSync(packDir, { recursive: true, force: true });
      if (!process.env.TROUPE_KEEP_CONSUMER) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const packages = publicPackages();
    const filters = packages.flatMap((p) => ['--filter', p.name]);
    await sh(`pnpm -r ${filters.map((f) => `'${f}'`).join(' ')} pack --pack-destination '${packDir}'`, ROOT, {
      env: process.env,
    });
    for (const p of packages) {
      const file = `${p.name.replace(/^@/, '').replace('/', '-')}-${packageVersion(p.dir)}.tgz`;
      project.tarballs.set(p.name, join(packDir, file));
    }

    await sh('npm init -y', dir);
    const installs: string[] = [];
    for (const block of project.blocks) {
      if (block.lang === 'json') {
        const json = JSON.parse(block.code) as Record<string, unknown>;
        if ('compilerOptions' in json) writeFileSync(join(dir, 'tsconfig.json'), block.code);
        else mergePackageJson(dir, json);
      } else if (block.lang === 'sh') {
        const lines = block.code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
        const target = lines.some((l) => /^npm (install|i) /.test(l)) ? installs : project.runCommands;
        target.push(...lines);
      } else {
        throw new Error(
          `${block.file}:${block.line}: a consumer block must be sh or json, not '${block.lang}'`,
        );
      }
    }
    if (installs.length === 0) throw new Error('README.md: no consumer `npm install` block');
    let first = true;
    for (const line of installs) {
      let command = line.replace(/@troupe\/[\w-]+/g, (name) => {
        const tarball = project.tarballs.get(name);
        if (!tarball) throw new Error(`README.md installs ${name}, which is not a public package`);
        return tarball;
      });
      if (first) {
        // The packages the README does not name (placeholders, for now) must install too.
        const rest = [...project.tarballs].filter(([name]) => !line.includes(name)).map(([, t]) => t);
        command = `${command} ${rest.join(' ')}`;
        first = false;
      }
      await sh(command, dir);
    }
    return project;
  } catch (err) {
    project[Symbol.dispose]();
    throw err;
  }
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

function mergePackageJson(dir: string, fields: Record<string, unknown>): void {
  const file = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...pkg, ...fields }, null, 2)}\n`);
}
