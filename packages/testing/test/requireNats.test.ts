import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NATS_INSTALL_MESSAGE, natsGate, onCi } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const config = fileURLToPath(new URL('./fixtures/gate.vitest.config.ts', import.meta.url));

/** Runs the gated fixture suite in a child vitest with `CI` as given and no nats-server to be found. */
function runGated(ci: string): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: ci, NATS_SERVER_BIN: '/nonexistent/nats-server' };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  const run = spawnSync(
    process.execPath,
    [`${repoRoot}node_modules/vitest/vitest.mjs`, 'run', '--config', config],
    {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('the nats gate', () => {
  it('should run with nats-server, fail on CI without it, and skip elsewhere without it', () => {
    expect(natsGate(true, true)).toBe('run');
    expect(natsGate(true, false)).toBe('run');
    expect(natsGate(false, true)).toBe('fail');
    expect(natsGate(false, false)).toBe('skip');
  });

  it('should read CI the way CI services set it', () => {
    for (const on of ['true', '1', 'yes', 'TRUE']) expect(onCi({ CI: on })).toBe(true);
    for (const off of [undefined, '', '0', 'false', 'False']) expect(onCi({ CI: off })).toBe(false);
  });

  it('should fail a NATS suite under CI when nats-server is missing, saying what to install', {
    timeout: 90_000,
  }, () => {
    const run = runGated('true');
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain('needs nats-server');
    expect(run.output).toContain(NATS_INSTALL_MESSAGE);
    expect(NATS_INSTALL_MESSAGE).toContain('apt-get install -y nats-server');
  });

  it('should skip a NATS suite outside CI when nats-server is missing', { timeout: 90_000 }, () => {
    const run = runGated('');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/1 skipped/);
  });
});
