#!/usr/bin/env node
/**
 * `pnpm check:packages`: the shape of every public package as npm would publish it. Builds, packs
 * each package with pnpm, then checks the tarball with publint (strict) and Are The Types Wrong
 * (ESM-only profile), and the package.json against our conventions (see CONTRIBUTING.md):
 * every `exports` entry maps `@troupe/source` to a file in src/ and `types`/`import` to the same
 * stem in dist/; `files`, `engines`, `license`, `description`; LICENSE equal to the root's.
 * Exits 1 listing every problem.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const problems = [];
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

const packages = readdirSync(join(root, 'packages'))
  .sort()
  .map((d) => join(root, 'packages', d))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

const license = readFileSync(join(root, 'LICENSE'), 'utf8');
for (const { dir, pkg } of packages) {
  const at = (msg) => problems.push(`${pkg.name}: ${msg}`);
  if (pkg.type !== 'module') at('"type" must be "module"');
  if (pkg.license !== 'Apache-2.0') at('"license" must be "Apache-2.0"');
  if (!pkg.description) at('"description" is missing');
  if (pkg.engines?.node !== '>=20') at('"engines.node" must be ">=20"');
  for (const f of ['dist', 'README.md', 'LICENSE']) {
    if (!pkg.files?.includes(f)) at(`"files" must include ${f}`);
  }
  if (!existsSync(join(dir, 'README.md'))) at('README.md is missing');
  if (!existsSync(join(dir, 'LICENSE')) || readFileSync(join(dir, 'LICENSE'), 'utf8') !== license) {
    at('LICENSE must be a copy of the root LICENSE');
  }
  for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
    if (subpath === './package.json') continue;
    const source = entry?.['@troupe/source'];
    const m = /^\.\/src\/(.+)\.ts$/.exec(source ?? '');
    if (!m || Object.keys(entry)[0] !== '@troupe/source') {
      at(`exports["${subpath}"] must start with "@troupe/source": "./src/<path>.ts"`);
      continue;
    }
    if (!existsSync(join(dir, source))) at(`exports["${subpath}"]: ${source} does not exist`);
    if (entry.types !== `./dist/${m[1]}.d.ts`) at(`exports["${subpath}"].types must be ./dist/${m[1]}.d.ts`);
    if (entry.import !== `./dist/${m[1]}.js`) at(`exports["${subpath}"].import must be ./dist/${m[1]}.js`);
  }
  for (const [name, bin] of Object.entries(pkg.bin ?? {})) {
    if (!/^\.\/dist\/.+\.js$/.test(bin)) at(`bin ${name} must be built JavaScript in dist/, not ${bin}`);
  }
}

run('pnpm', ['build']);
const packDir = mkdtempSync(join(tmpdir(), 'troupe-check-'));
try {
  const filters = packages.flatMap(({ pkg }) => ['--filter', pkg.name]);
  run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', packDir]);
  for (const { pkg } of packages) {
    const tarball = join(packDir, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' });
    for (const bin of Object.values(pkg.bin ?? {})) {
      const file = `package/${bin.replace(/^\.\//, '')}`;
      if (!listing.includes(`${file}\n`)) problems.push(`${pkg.name}: bin ${bin} is not in the tarball`);
      else {
        const head = execFileSync('tar', ['xzf', tarball, '-O', file], { encoding: 'utf8' }).split('\n')[0];
        if (head !== '#!/usr/bin/env node')
          problems.push(`${pkg.name}: ${bin} must start with #!/usr/bin/env node`);
      }
    }
    if (/\.tsbuildinfo|\/src\//.test(listing))
      problems.push(`${pkg.name}: tarball ships src/ or .tsbuildinfo`);
    for (const [cmd, args] of [
      ['publint', ['run', '--strict', tarball]],
      ['attw', [tarball, '--profile', 'esm-only', '--format', 'table-flipped']],
    ]) {
      try {
        run('pnpm', ['exec', cmd, ...args]);
      } catch {
        problems.push(`${pkg.name}: ${cmd} failed (output above)`);
      }
    }
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  process.stderr.write(`check:packages found ${problems.length} problem(s):\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`check:packages: ${packages.length} packages OK\n`);
