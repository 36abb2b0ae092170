/**
 * Activating many agents, each in a fresh process so RSS figures start clean: keyed agents of
 * ours (one ask each, 1,000 in flight), against bare XState machine actors created and started
 * (the floor: what one actor per agent costs before any runtime).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { createActor, createMachine } from 'xstate';
import { z } from 'zod';

/** What activating `count` agents took. */
export interface Activation {
  count: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds (user + system, all threads). */
  cpuSeconds: number;
  /** Peak resident set size, bytes (sampled while activating, and the process's own peak). */
  peakRss: number;
  /** (peak RSS − RSS before) / agents held, bytes. */
  perAgent: number;
}

/** Which population to activate: our keyed agents, or bare XState actors. */
export type Population = 'troupe' | 'xstate';

const Ping = defineMessage('bench.ping', z.object({ n: z.number() }));

/** Keyed agents of ours, each activated by one ask (1,000 asks in flight). */
export async function activateAgents(count: number): Promise<Activation> {
  const Cell = defineAgent({
    type: 'bench.cell',
    initialState: (key: string) => ({ key }),
    handles: { [Ping.type]: on(Ping, ({ n }) => n) },
  });
  const meter = startMeter();
  await using rt = createRuntime();
  await rt.register(Cell);
  for (let i = 0; i < count; i += 1000) {
    const batch: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(i + 1000, count); k++)
      batch.push(rt.ref(Cell, `c${k}`).ask(Ping.create({ n: k })));
    await Promise.all(batch);
    if (i % 10_000 === 0) meter.sample();
  }
  return meter.stop(rt.stats().instances);
}

/** Bare XState machine actors, created and started, one event each. */
export async function activateXStateActors(count: number): Promise<Activation> {
  const machine = createMachine({
    types: {} as { context: { key: string }; input: { key: string }; events: { type: 'ping'; n: number } },
    context: ({ input }) => ({ key: input.key }),
    on: { ping: {} },
  });
  const meter = startMeter();
  const actors = [];
  for (let k = 0; k < count; k++) {
    const actor = createActor(machine, { input: { key: `c${k}` } }).start();
    actor.send({ type: 'ping', n: k });
    actors.push(actor);
    if (k % 10_000 === 0) meter.sample();
  }
  const held = actors.length;
  const result = meter.stop(held);
  for (const actor of actors) actor.stop();
  return result;
}

function startMeter() {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let peak = before;
  return {
    sample(): void {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
    stop(held: number): Activation {
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      global.gc?.();
      peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
      return {
        count: held,
        seconds,
        cpuSeconds: (used.user + used.system) / 1e6,
        peakRss: peak,
        perAgent: (peak - before) / held,
      };
    },
  };
}

/** Runs one activation in a child process (same Node flags as this one) and returns its figures. */
export function activateInChild(population: Population, count: number, nodeFlags: string[] = []): Activation {
  const entry = fileURLToPath(new URL('./activate.ts', import.meta.url));
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, ...nodeFlags, entry, population, String(count)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Activation;
}
