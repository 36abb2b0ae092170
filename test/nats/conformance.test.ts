import { createRuntime } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { type ConformanceEnv, runtimeConformance } from '../conformance/runtimeConformance.js';

natsSuite('NatsTransport', () => {
  runtimeConformance(
    'NatsTransport (client + server runtime on a spawned nats-server)',
    async (): Promise<ConformanceEnv> => {
      const nats = await startNatsServer();
      const server = createRuntime({
        transport: await connectNats({ connection: { servers: nats.url } }),
        namespace: 'conf',
      });
      const client = createRuntime({
        transport: await connectNats({ connection: { servers: nats.url } }),
        namespace: 'conf',
      });
      return {
        client,
        server,
        async [Symbol.asyncDispose]() {
          await client.close();
          await server.close();
          await nats.close();
        },
      };
    },
  );
});
