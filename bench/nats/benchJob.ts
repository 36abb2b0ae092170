import { defineAgent, defineMessage, on } from '@troupe/core';
import { z } from 'zod';

/** The durable benchmarks' task: CPU-light, so the numbers are about the plumbing. */
export const Job = defineMessage('bench.job', z.object({ n: z.number(), text: z.string() }));

/** The agent that runs {@link Job}. */
export const JobAgent = defineAgent({
  type: 'bench.job',
  handles: { [Job.type]: on(Job, ({ n }) => n * 2) },
});

/** The same payload for every case, so Troupe and raw JetStream move the same bytes. */
export function jobPayload(n: number): { n: number; text: string } {
  return { n, text: 'x'.repeat(64) };
}
