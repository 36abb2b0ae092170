/**
 * A simulation: N agents (default 10,000; `--agents 1000000` works) exchanging messages in
 * rounds. Each round every agent speaks once, telling one peer (a seeded choice) how much it has
 * heard so far; the round ends when every message has been heard. Prints messages per second and
 * memory per round.
 *
 * Two ways to host the agents, both on a Troupe runtime:
 * - `actors` (default up to 100,000 agents): one keyed agent instance per agent (an XState
 *   actor each, activated on its first message) and one Troupe message per hop;
 * - `shards` (default above): agents live in `--shards` shard agents (64 by default), a few
 *   bytes of state each, and their messages to the agents of one shard travel as one batched
 *   Troupe message per round — how a million agents fit a laptop.
 *
 *   pnpm example examples/simulation.ts [--agents 10000] [--rounds 3] [--mode actors|shards] [--shards 64]
 */
import { createRuntime, defineAgent, defineMessage, on, type Runtime } from '@troupe/core';
import { z } from 'zod';

/** One round's numbers. */
export interface RoundStats {
  round: number;
  /** Agent-to-agent messages heard in the round (one per agent). */
  messages: number;
  ms: number;
  messagesPerSec: number;
  /** Resident set size after the round, bytes. */
  rss: number;
  /** Heap used after the round, bytes. */
  heapUsed: number;
}

/** Options of {@link simulate}. */
export interface SimulationOptions {
  agents?: number;
  rounds?: number;
  /** `actors`: an agent instance per agent; `shards`: agents batched in shard agents (default: actors up to 100,000). */
  mode?: 'actors' | 'shards';
  /** Shard agents in `shards` mode (default 64). */
  shards?: number;
  /** Seed of the peers' choice (default 1). */
  seed?: number;
  onRound?: (stats: RoundStats) => void;
}

/** The outcome: each round's numbers and the total of messages heard (agents × rounds). */
export interface SimulationResult {
  rounds: RoundStats[];
  heard: number;
}

/** Runs the simulation on a fresh in-process runtime. */
export async function simulate(options: SimulationOptions = {}): Promise<SimulationResult> {
  const agents = options.agents ?? 10_000;
  const mode = options.mode ?? (agents > 100_000 ? 'shards' : 'actors');
  await using runtime = createRuntime({ namespace: 'simulation', defaultTimeout: 600_000 });
  const world =
    mode === 'actors' ? await actors(runtime, agents, options) : await shards(runtime, agents, options);
  const rounds: SimulationResult['rounds'] = [];
  for (let round = 1; round <= (options.rounds ?? 3); round++) {
    const t0 = performance.now();
    await world.round(round);
    const ms = performance.now() - t0;
    const mem = process.memoryUsage();
    const s: RoundStats = {
      round,
      messages: agents,
      ms,
      messagesPerSec: (agents * 1000) / ms,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
    };
    rounds.push(s);
    options.onRound?.(s);
  }
  return { rounds, heard: world.heard() };
}

interface World {
  round(n: number): Promise<void>;
  heard(): number;
}

/** The peer agent `me` speaks to in `round`: a seeded hash, never itself. */
export function peerOf(me: number, round: number, agents: number, seed: number): number {
  let x = Math.imul(me ^ Math.imul(round, 0x9e3779b1) ^ seed, 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  const peer = ((x ^ (x >>> 16)) >>> 0) % agents;
  return peer === me ? (peer + 1) % agents : peer;
}

/** A counter of messages heard, and a promise of the moment it reaches a target. */
function tally() {
  let heard = 0;
  let target = Number.POSITIVE_INFINITY;
  let reached: () => void = () => {};
  return {
    add(n: number) {
      heard += n;
      if (heard >= target) reached();
    },
    until(n: number): Promise<void> {
      target = n;
      return heard >= n ? Promise.resolve() : new Promise((resolve) => (reached = resolve));
    },
    get heard() {
      return heard;
    },
  };
}

const Speak = defineMessage('sim.speak', z.object({ round: z.number().int() }));
const Hear = defineMessage('sim.hear', z.object({ from: z.number().int(), heard: z.number().int() }));

async function actors(runtime: Runtime, agents: number, options: SimulationOptions): Promise<World> {
  const seed = options.seed ?? 1;
  const count = tally();
  await runtime.register(
    defineAgent({
      type: 'sim.agent',
      initialState: () => ({ heard: 0 }),
      handles: {
        [Speak.type]: on(Speak, ({ round }, ctx) => {
          const me = Number(ctx.self.key);
          const state = ctx.state as { heard: number };
          const to = { type: 'sim.agent', key: String(peerOf(me, round, agents, seed)) };
          return ctx.tell(to, Hear.create({ from: me, heard: state.heard }));
        }),
        [Hear.type]: on(Hear, (_hear, ctx) => {
          (ctx.state as { heard: number }).heard += 1; // the instance's own object: no copy per message
          count.add(1);
        }),
      },
    }),
  );
  const refs = Array.from({ length: agents }, (_, i) => runtime.ref({ type: 'sim.agent', key: String(i) }));
  return {
    heard: () => count.heard,
    async round(round) {
      const all = count.until(count.heard + agents);
      const speak = Speak.create({ round });
      // `window` tells in flight at a time, so the mailboxes stay bounded.
      const window = 20_000;
      for (let start = 0; start < agents; start += window) {
        const batch: Promise<void>[] = [];
        for (let i = start; i < Math.min(agents, start + window); i++) batch.push(refs[i]!.tell(speak));
        await Promise.all(batch);
      }
      await all;
    },
  };
}

const Tick = defineMessage('sim.tick', z.object({ round: z.number().int() }));
/** Messages to the agents of one shard: `to[i]` hears from `from[i]`. */
const HearBatch = defineMessage(
  'sim.hearBatch',
  z.object({ to: z.array(z.number().int()), from: z.array(z.number().int()) }),
);

async function shards(runtime: Runtime, agents: number, options: SimulationOptions): Promise<World> {
  const seed = options.seed ?? 1;
  const k = Math.max(1, Math.min(options.shards ?? 64, agents));
  const count = tally();
  const shardOf = (agent: number) => agent % k;
  await runtime.register(
    defineAgent({
      type: 'sim.shard',
      initialState: () => ({ heard: undefined as Int32Array | undefined }),
      handles: {
        [Tick.type]: on(Tick, async ({ round }, ctx) => {
          const me = Number(ctx.self.key);
          const to: number[][] = Array.from({ length: k }, () => []);
          const from: number[][] = Array.from({ length: k }, () => []);
          for (let agent = me; agent < agents; agent += k) {
            const peer = peerOf(agent, round, agents, seed);
            to[shardOf(peer)]!.push(peer);
            from[shardOf(peer)]!.push(agent);
          }
          await Promise.all(
            to.map((list, j) =>
              list.length === 0
                ? undefined
                : ctx.tell(
                    { type: 'sim.shard', key: String(j) },
                    HearBatch.create({ to: list, from: from[j]! }),
                  ),
            ),
          );
        }),
        [HearBatch.type]: on(HearBatch, ({ to }, ctx) => {
          const state = ctx.state as { heard: Int32Array | undefined };
          const me = Number(ctx.self.key);
          // One slot per agent of this shard (agent a is slot floor(a / k)).
          state.heard ??= new Int32Array(Math.ceil((agents - me) / k));
          for (const agent of to) state.heard[Math.floor(agent / k)]! += 1;
          count.add(to.length);
        }),
      },
    }),
  );
  const refs = Array.from({ length: k }, (_, i) => runtime.ref({ type: 'sim.shard', key: String(i) }));
  return {
    heard: () => count.heard,
    async round(round) {
      const all = count.until(count.heard + agents);
      const tick = Tick.create({ round });
      await Promise.all(refs.map((ref) => ref.tell(tick)));
      await all;
    },
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const agents = Number(arg('agents') ?? 10_000);
  const mode = arg('mode') as SimulationOptions['mode'];
  const shardsArg = arg('shards');
  console.log(
    `simulation: ${agents.toLocaleString('en-US')} agents (${mode ?? (agents > 100_000 ? 'shards' : 'actors')})`,
  );
  const { heard } = await simulate({
    agents,
    rounds: Number(arg('rounds') ?? 3),
    ...(mode ? { mode } : {}),
    ...(shardsArg ? { shards: Number(shardsArg) } : {}),
    onRound: (s) =>
      console.log(
        `round ${s.round}: ${s.messages.toLocaleString('en-US')} messages in ${s.ms.toFixed(0)} ms = ${Math.round(s.messagesPerSec).toLocaleString('en-US')} msg/s · rss ${mb(s.rss)} · heap ${mb(s.heapUsed)}`,
      ),
  });
  console.log(`heard ${heard.toLocaleString('en-US')} messages in all`);
}
