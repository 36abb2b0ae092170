import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { runWorkerBin } from '../nats/support/workerProcess.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

// The README's "Run across machines" commands, on one machine: a nats-server, two workers, a client.
natsSuite('examples/distributed', () => {
  it('should serve the client from two worker processes, keeping a keyed instance on one of them', async () => {
    await using server = await startNatsServer();
    const args = ['--nats', server.url, '--namespace', 'demo', '--agents', 'examples/distributed/agents.ts'];
    const workers = [runWorkerBin({ name: 'w1', args }), runWorkerBin({ name: 'w2', args })];
    try {
      for (const w of workers) {
        await expect.poll(() => w.stdout(), { timeout: 30_000, interval: 50 }).toMatch(/^ready /m);
      }
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/distributed/client.ts'], {
        cwd: root,
        timeout: 60_000,
        env: { ...process.env, TROUPE_NATS_URL: server.url },
      });
      const pids = new Set(workers.map((w) => w.child.pid));
      const answered = [...stdout.matchAll(/worker pid (\d+)/g)].map((m) => Number(m[1]));
      expect(answered).toHaveLength(6);
      for (const pid of answered) expect(pids.has(pid)).toBe(true);
      expect(stdout).toContain("tallier 'ledger' total 15 on 1 worker");
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    }
  });
});
