/**
 * A client on any machine: asks agents hosted by workers over NATS.
 * TROUPE_NATS_URL=nats://127.0.0.1:4222 pnpm example examples/distributed/client.ts
 */
import { createRuntime } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { Greet, Greeter, Tallier, Tally } from './agents.js';

const servers = process.env.TROUPE_NATS_URL ?? 'nats://127.0.0.1:4222';
const token = process.env.NATS_TOKEN;
await using runtime = createRuntime({
  transport: await connectNats({ connection: { servers, ...(token ? { token } : {}) } }),
  namespace: process.env.TROUPE_NAMESPACE ?? 'demo',
});

const greeters = new Set<number>();
for (const name of ['Ada', 'Grace', 'Barbara', 'Frances', 'Hedy', 'Radia']) {
  const { text, pid } = await runtime.ref(Greeter).ask(Greet.create({ name }), { timeout: 5_000 });
  greeters.add(pid);
  console.log(`${text} (worker pid ${pid})`);
}
const tallies = new Set<number>();
let total = 0;
for (let i = 1; i <= 5; i++) {
  const reply = await runtime.ref(Tallier, 'ledger').ask(Tally.create({ n: i }), { timeout: 5_000 });
  tallies.add(reply.pid);
  total = reply.total;
}
console.log(
  `greeter answered from ${greeters.size} worker(s); tallier 'ledger' total ${total} on ${tallies.size} worker`,
);
