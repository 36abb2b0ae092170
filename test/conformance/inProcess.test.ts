import { createRuntime, InProcessBus } from '@troupe/core';
import { type ConformanceEnv, runtimeConformance } from './runtimeConformance.js';

runtimeConformance('InProcessBus (client + server runtime)', async (): Promise<ConformanceEnv> => {
  const bus = new InProcessBus();
  const server = createRuntime({ transport: bus.transport(), namespace: 'conf' });
  const client = createRuntime({ transport: bus.transport(), namespace: 'conf' });
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
});
