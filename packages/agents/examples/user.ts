import {
  createModel,
  ReActRun,
  reactAgent,
  scriptedChannel,
  terminalChannel,
  tool,
  type UserChannel,
  userAgent,
} from '@troupe/agents';
import { createRuntime } from '@troupe/core';
import { z } from 'zod';

const deploy = tool({
  name: 'deploy',
  description: 'Deploys a service to an environment',
  input: z.object({ service: z.string(), env: z.enum(['staging', 'prod']) }),
  needsApproval: ({ env }) => env === 'prod', // a human decides before it runs
  run: ({ service, env }) => `${service} is live on ${env}`,
});

export async function main(
  env: Record<string, string | undefined> = process.env,
  // From a terminal you answer yourself; otherwise a scripted "yes".
  channel: UserChannel = process.stdin.isTTY ? terminalChannel() : scriptedChannel(['yes']),
) {
  const model = createModel(undefined, {
    env,
    scripted: {
      script: [
        { toolCalls: [{ name: 'deploy', arguments: { service: 'api', env: 'prod' } }] },
        { text: 'Deployed.' },
      ],
    },
  });
  try {
    await using runtime = createRuntime();
    await runtime.register(userAgent({ channel, timeout: 120_000 }));
    await runtime.register(reactAgent({ type: 'ops', model, tools: [deploy], approver: { type: 'user' } }));
    return await runtime
      .ref({ type: 'ops' })
      .ask(ReActRun.create({ task: 'Deploy the api service to prod.' }), { timeout: 180_000 });
  } finally {
    if ('close' in channel && typeof channel.close === 'function') channel.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
