/**
 * Troupe used from someone else's project: the packed packages installed with npm in a temp
 * directory outside the workspace, the quickstarts run with plain `node` and type-checked by the
 * project's own `tsc` (strict, lib ES2022, skipLibCheck false), and `troupe-worker` started from
 * node_modules/.bin against a real nats-server. Needs the npm registry and nats-server; fails, never
 * skips, under CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { natsSuite, startNatsServer } from '@troupe/testing';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { codeBlocks } from '../support/markdownBlocks.js';
import { type ConsumerProject, makeConsumerProject, sh, userEnv } from './support/consumerProject.js';

let project: ConsumerProject;
const SETUP_TIMEOUT = 600_000;

/** The README quick start and the pipelines quick start, as the user copies them. */
const QUICKSTARTS = {
  quickstart: codeBlocks('README.md').find((b) => b.lang === 'ts')?.code ?? '',
  pipelines: codeBlocks('packages/pipelines/README.md').find((b) => b.lang === 'ts')?.code ?? '',
};

/** JavaScript for `code`: its types stripped, `await using` lowered for Node 20. */
function toJavaScript(code: string): string {
  return ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
}

const AGENTS_JS = `import { defineAgent, defineMessage, on } from '@troupe/core';
import { z } from 'zod';

export const Greet = defineMessage('greet.say', z.object({ name: z.string() }));
export const Greeter = defineAgent({
  type: 'greeter',
  handles: { [Greet.type]: on(Greet, ({ name }) => \`hello, \${name} from \${process.pid}\`) },
});
`;
const AGENTS_TS = AGENTS_JS.replace('({ name })', '({ name }: { name: string }): string');
const CLIENT_JS = `import { createRuntime } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { Greet } from './agents.mjs';

const runtime = createRuntime({
  transport: await connectNats({ servers: process.env.TROUPE_NATS_URL }),
  namespace: 'consumer',
});
try {
  console.log(await runtime.ref({ type: 'greeter' }).ask(Greet.create({ name: 'Ada' }), { timeout: 60_000 }));
} finally {
  await runtime.close();
}
`;

natsSuite('consumer project (packed tarballs, npm, plain node)', () => {
  beforeAll(async () => {
    project = await makeConsumerProject();
    mkdirSync(join(project.dir, 'src'), { recursive: true });
    for (const [name, code] of Object.entries(QUICKSTARTS)) {
      expect(code, `${name} quick start block`).toContain('@troupe/');
      writeFileSync(join(project.dir, 'src', `${name}.ts`), code);
      writeFileSync(join(project.dir, `${name}.mjs`), toJavaScript(code));
    }
    writeFileSync(join(project.dir, 'agents.mjs'), AGENTS_JS);
    writeFileSync(join(project.dir, 'agents.ts'), AGENTS_TS);
    writeFileSync(join(project.dir, 'client.mjs'), CLIENT_JS);
  }, SETUP_TIMEOUT);

  afterAll(() => project?.[Symbol.dispose]());

  it('should install one copy of each peer and no workspace-only package', { timeout: 120_000 }, async () => {
    const pkg = JSON.parse(readFileSync(join(project.dir, 'package.json'), 'utf8')) as {
      type: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(['@troupe/core', '@troupe/nats', '@troupe/pipelines', 'zod', 'rxjs', 'xstate']),
    );
    // `npm ls` fails on a missing or invalid peer; each peer must resolve to one version.
    const tree = JSON.parse(await sh('npm ls zod rxjs xstate --all --json', project.dir)) as unknown;
    for (const name of ['zod', 'rxjs', 'xstate']) expect(versionsOf(tree, name).size, name).toBe(1);
    expect(await sh('ls node_modules/@troupe', project.dir)).not.toContain('testing');
  });

  it("should type-check and build with the project's own tsc, then run the quick start with node", {
    timeout: 240_000,
  }, async () => {
    expect(project.runCommands).toEqual(['npx tsc && node dist/quickstart.js']);
    const out = await sh(project.runCommands.join('\n'), project.dir, { timeout: 120_000 });
    expect(out).toBe('HELLO TROUPE!\n');
    const tsconfig = JSON.parse(readFileSync(join(project.dir, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(tsconfig.compilerOptions).toMatchObject({ lib: ['ES2022'], module: 'NodeNext', strict: true });
    expect(tsconfig.compilerOptions.skipLibCheck ?? false).toBe(false);
    const pipelines = await sh('node dist/pipelines.js', project.dir, { timeout: 60_000 });
    expect(pipelines).toContain('TaskGroup docs: 3/3 done');
  });

  it('should run both quick starts as JavaScript (.mjs) with plain node', { timeout: 120_000 }, async () => {
    expect(await sh('node quickstart.mjs', project.dir, { timeout: 60_000 })).toBe('HELLO TROUPE!\n');
    const out = await sh('node pipelines.mjs', project.dir, { timeout: 60_000 });
    expect(out).toContain('TaskGroup docs: 3/3 done');
    expect(out).toContain("[ 'NOTES ON ACTORS', 'actors on notes' ]");
  });

  it('should serve a JavaScript agents module with node_modules/.bin/troupe-worker and answer a client', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    const worker = startWorkerBin(project.dir, server.url, 'agents.mjs');
    try {
      await worker.ready;
      const out = await sh('node client.mjs', project.dir, {
        env: userEnv({ TROUPE_NATS_URL: server.url }),
        timeout: 60_000,
      });
      expect(out).toBe(`hello, Ada from ${worker.child.pid}\n`);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  });

  it('should load a TypeScript agents module through tsx, and say what is missing without it', {
    timeout: 240_000,
  }, async () => {
    await using server = await startNatsServer();
    const strips = Boolean((process.features as { typescript?: unknown }).typescript);
    if (!strips) {
      // Node 20: no type stripping and no tsx installed yet.
      const bare = startWorkerBin(project.dir, server.url, 'agents.ts');
      expect(await bare.exited).toBe(1);
      expect(bare.stderr()).toContain('AGENTS_MODULE');
      expect(bare.stderr()).toContain('Node 20 has no type stripping');
      expect(bare.stderr()).toContain('npm install --save-dev tsx');
      expect(bare.stdout()).not.toContain('ready');
    }
    await sh('npm install --save-dev tsx', project.dir);
    const worker = startWorkerBin(project.dir, server.url, 'agents.ts');
    try {
      await worker.ready;
      const out = await sh('node client.mjs', project.dir, {
        env: userEnv({ TROUPE_NATS_URL: server.url }),
        timeout: 60_000,
      });
      expect(out).toBe(`hello, Ada from ${worker.child.pid}\n`);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  });

  it('should run node_modules/.bin/troupe with plain node: a goal offline, then ls and replay', {
    timeout: 120_000,
  }, async () => {
    const run = await sh(
      'node_modules/.bin/troupe run "a short report on actors" --run-id consumer-1',
      project.dir,
      {
        timeout: 90_000,
      },
    );
    expect(run).toMatch(/run consumer-1 completed in \S+ · \d+\/\d+ tasks completed/);
    expect(await sh('node_modules/.bin/troupe ls', project.dir)).toMatch(/^consumer-1 +completed/m);
    const replay = JSON.parse(await sh('node_modules/.bin/troupe replay consumer-1 --json', project.dir)) as {
      status: string;
    };
    expect(replay.status).toBe('completed');
  });
});

/** Starts the installed bin (its `#!/usr/bin/env node` shebang, no tsx) serving `agents`. */
function startWorkerBin(
  dir: string,
  url: string,
  agents: string,
): {
  child: ChildProcess;
  exited: Promise<number | null>;
  ready: Promise<void>;
  stdout: () => string;
  stderr: () => string;
} {
  const child = spawn(
    join(dir, 'node_modules/.bin/troupe-worker'),
    ['--nats', url, '--namespace', 'consumer', '--agents', agents],
    { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Resolves on the `ready …` line; rejects at once, with stderr, if the worker exits first.
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (/^ready .*types=greeter/m.test(out)) resolve();
    });
    void exited.then((code) => reject(new Error(`troupe-worker exited with ${code} before ready:\n${err}`)));
  });
  ready.catch(() => {});
  return { child, exited, ready, stdout: () => out, stderr: () => err };
}

/** Every version of `name` in an `npm ls --json` tree. */
function versionsOf(tree: unknown, name: string, found = new Set<string>()): Set<string> {
  const deps = (tree as { dependencies?: Record<string, { version?: string }> }).dependencies ?? {};
  for (const [dep, node] of Object.entries(deps)) {
    if (dep === name && node.version) found.add(node.version);
    versionsOf(node, name, found);
  }
  return found;
}
