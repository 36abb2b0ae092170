/**
 * The `troupe-worker` bin as separate processes: asks from this process
 * load-balance over them, keyed asks stick to one process, a SIGKILLed
 * owner's keys move to a survivor, SIGTERM drains and exits 0, and bad
 * credentials end the process at once.
 */
import { createRuntime } from '@troupe/core';
import { connectNats, ownerSubject, remoteProgress$ } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { filter, firstValueFrom } from 'rxjs';
import { expect, it } from 'vitest';
import { type Answer, Inc, Sleep, WhoAsk } from './fixtures/agents.js';
import { untilNoResponders } from './support/untilNoResponders.js';
import { FIXTURE_AGENTS, runWorkerBin, spawnWorker } from './support/workerProcess.js';

type Count = Answer & { count: number };

natsSuite('troupe-worker bin', () => {
  it('should serve across processes: load-balanced, keyed, taken over, drained', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer();
    await using one = await spawnWorker({ url: server.url, namespace: 'bin', name: 'one' });
    await using two = await spawnWorker({ url: server.url, namespace: 'bin', name: 'two' });
    expect(one.ready).toMatch(/^ready worker=\S+ namespace=bin types=\S+ /);
    expect(
      one.ready
        .match(/types=(\S+)/)?.[1]
        ?.split(',')
        .sort(),
    ).toEqual(['nats.counter', 'nats.hang', 'nats.log', 'nats.relay', 'nats.slow', 'nats.who']);
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'bin',
    });

    const answers = (await Promise.all(
      Array.from({ length: 100 }, () => client.ref({ type: 'nats.who' }).ask(WhoAsk.create({}))),
    )) as Answer[];
    expect(new Set(answers.map((a) => a.pid))).toEqual(new Set([one.pid, two.pid]));

    const counter = client.ref({ type: 'nats.counter', key: 'sticky' });
    const counts: Count[] = [];
    for (let i = 0; i < 10; i++) counts.push((await counter.ask(Inc.create({}))) as Count);
    expect(counts.map((c) => c.count)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const ownerPid = counts[0]?.pid;
    expect(new Set(counts.map((c) => c.pid))).toEqual(new Set([ownerPid]));

    // The owner dies without a word; the survivor takes the key over.
    const [owner, survivor] = ownerPid === one.pid ? [one, two] : [two, one];
    owner.kill('SIGKILL');
    await owner.exited;
    const ownerId = /worker=(\S+)/.exec(owner.ready)?.[1] ?? '';
    await untilNoResponders(server.url, ownerSubject('bin', ownerId, 'nats.counter', 'sticky'));
    const after = (await counter.ask(Inc.create({}), { timeout: 15_000 })) as Count;
    expect(after).toMatchObject({ pid: survivor.pid, count: 1 });

    // SIGTERM drains: the ask in flight completes, then the process exits 0.
    const started = firstValueFrom(
      remoteProgress$({ connection: { servers: server.url }, namespace: 'bin', runId: 'drain' }).pipe(
        filter((e) => e.kind === 'task.started'),
      ),
    );
    const inFlight = client
      .ref({ type: 'nats.slow' })
      .ask(Sleep.create({ ms: 500 }), { timeout: 10_000, runId: 'drain' });
    await started; // the worker has begun handling it
    survivor.kill('SIGTERM');
    await expect(inFlight).resolves.toMatchObject({ pid: survivor.pid });
    expect(await survivor.exited).toBe(0);
  });

  it('should exit at once with UNAUTHORIZED on bad credentials, and serve with good ones', {
    timeout: 60_000,
  }, async () => {
    await using server = await startNatsServer({ auth: { token: 'good' } });
    const started = Date.now();
    const bad = runWorkerBin({
      name: 'bad',
      args: ['--nats', server.url, '--namespace', 'auth', '--agents', FIXTURE_AGENTS, '--token', 'bad'],
    });
    expect(await bad.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(bad.stderr()).toContain('UNAUTHORIZED');
    expect(bad.stderr()).not.toContain('bad\n');
    expect(bad.stdout()).not.toContain('ready');

    await using good = await spawnWorker({
      url: server.url,
      namespace: 'auth',
      name: 'good',
      extraArgs: ['--token', 'good'],
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url, token: 'good' } }),
      namespace: 'auth',
    });
    expect(await client.ref({ type: 'nats.who' }).ask(WhoAsk.create({}))).toMatchObject({ pid: good.pid });
  });

  it('should print usage and exit 2 without --agents', { timeout: 60_000 }, async () => {
    const run = runWorkerBin({ name: 'usage', args: ['--nats', 'nats://127.0.0.1:1'] });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('usage: troupe-worker');
    const help = runWorkerBin({ name: 'help', args: ['--help'] });
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('usage: troupe-worker');
  });
});
