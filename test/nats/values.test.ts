/**
 * Location transparency of values: the programs of test/pipelines/valueScenarios.ts give the
 * same results over NATS (agents in one runtime, the program in another, on a real nats-server)
 * as in one process.
 */
import { createRuntime, type Runtime } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import {
  EXPECTED_FANOUT,
  EXPECTED_HUB,
  fanOutScenario,
  hubScenario,
  immutableScenario,
  type World,
  withoutHubIds,
} from '../pipelines/valueScenarios.js';

async function natsRuntime(url: string, namespace: string): Promise<Runtime> {
  return createRuntime({ transport: await connectNats({ connection: { servers: url } }), namespace });
}

/** Runs `scenario` in process and over NATS; both results are returned for comparison. */
async function bothWays<T>(url: string, namespace: string, scenario: (world: World) => Promise<T>) {
  let local: T;
  {
    await using runtime = createRuntime();
    local = await scenario({ host: runtime, client: runtime });
  }
  await using host = await natsRuntime(url, namespace);
  await using client = await natsRuntime(url, namespace);
  const remote = await scenario({ host, client });
  return { local, remote };
}

natsSuite('value semantics over NATS', () => {
  it('should give a MsgHub program with meddling observers and askers the same result as in process', async () => {
    await using server = await startNatsServer();
    const { local, remote } = await bothWays(server.url, 'values-hub', hubScenario);
    expect(withoutHubIds(remote)).toEqual(EXPECTED_HUB);
    expect(withoutHubIds(remote)).toEqual(withoutHubIds(local));
  });

  it('should give fan-out branches that change their input the same result as in process', async () => {
    await using server = await startNatsServer();
    const { local, remote } = await bothWays(server.url, 'values-fanout', fanOutScenario);
    expect(remote).toEqual(EXPECTED_FANOUT);
    expect(remote).toEqual(local);
  });

  it('should freeze a payload declared immutable where it is received, as in process', async () => {
    await using server = await startNatsServer();
    const { local, remote } = await bothWays(server.url, 'values-frozen', immutableScenario);
    expect(local).toBe('refused');
    expect(remote).toBe('refused');
  });
});
