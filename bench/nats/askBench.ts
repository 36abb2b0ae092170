import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { z } from 'zod';
import { opsPerSec } from '../table.js';
import { inFlight } from './lanes.js';

const RUNS = 3;
const Ping = defineMessage('bench.ping', z.object({ n: z.number() }));
const Echo = defineAgent({ type: 'bench.echo', handles: { [Ping.type]: on(Ping, ({ n }) => n) } });

/** Asks per second: Troupe over NATS and raw nats.js request/reply, sequential and with a window. */
export interface AskRates {
  troupeSequential: number;
  rawSequential: number;
  troupeWindow: number;
  rawWindow: number;
}

/** Measures asks between two connections of this process (server side and client side). */
export async function measureAsks(options: {
  url: string;
  sequential: number;
  window: number;
  width: number;
}): Promise<AskRates> {
  const { url, sequential, window, width } = options;
  // Troupe: the agent's runtime and the asking runtime each have their own connection, as across machines.
  const serving = createRuntime({
    transport: await connectNats({ connection: { servers: url } }),
    namespace: 'bench',
  });
  const asking = createRuntime({
    transport: await connectNats({ connection: { servers: url } }),
    namespace: 'bench',
  });
  const serverNc = await connect({ servers: url, noAsyncTraces: true });
  const clientNc = await connect({ servers: url, noAsyncTraces: true });
  try {
    await serving.register(Echo);
    const ref = asking.ref(Echo);
    const ask = (i: number) => ref.ask(Ping.create({ n: i }));
    const request = await rawEcho(serverNc, clientNc);
    await inFlight(2_000, width, ask);
    await inFlight(2_000, width, request);
    const seqOf = (one: (i: number) => Promise<unknown>) =>
      opsPerSec(sequential, async () => {
        for (let i = 0; i < sequential; i++) await one(i);
      });
    const windowOf = (one: (i: number) => Promise<unknown>) =>
      opsPerSec(window, () => inFlight(window, width, one));
    // A warm-up round, then RUNS rounds with Troupe and raw taking turns, so that load drifting on
    // this shared machine falls on both alike; each keeps its best round.
    await seqOf(ask);
    await seqOf(request);
    const rates: AskRates = { troupeSequential: 0, rawSequential: 0, troupeWindow: 0, rawWindow: 0 };
    for (let run = 0; run < RUNS; run++) {
      rates.troupeSequential = Math.max(rates.troupeSequential, await seqOf(ask));
      rates.rawSequential = Math.max(rates.rawSequential, await seqOf(request));
      rates.troupeWindow = Math.max(rates.troupeWindow, await windowOf(ask));
      rates.rawWindow = Math.max(rates.rawWindow, await windowOf(request));
    }
    return rates;
  } finally {
    await asking.close();
    await serving.close();
    await serverNc.close();
    await clientNc.close();
  }
}

/** The floor: a raw responder echoing a JSON body, and a requester that parses the reply. */
async function rawEcho(
  server: NatsConnection,
  client: NatsConnection,
): Promise<(i: number) => Promise<unknown>> {
  server.subscribe('bench.raw.echo', {
    callback: (_err, msg) => {
      msg.respond(msg.data);
    },
  });
  await server.flush();
  const encoder = new TextEncoder();
  return async (i) => {
    const reply = await client.request('bench.raw.echo', encoder.encode(JSON.stringify({ n: i })), {
      timeout: 5_000,
    });
    return reply.json<{ n: number }>().n;
  };
}
