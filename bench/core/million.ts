import type { Row } from '../table.js';
import { met } from '../table.js';
import { type Activation, activateInChild } from './activation.js';

/** The agents the million case activates (BENCH_MILLION_AGENTS overrides, for a quick run). */
export const MILLION = Number(process.env.BENCH_MILLION_AGENTS ?? 1_000_000);

/** The goals: activated in under this many seconds, under this peak RSS. */
export const MILLION_GOAL = { seconds: 60, rss: 8 * 2 ** 30 };

/** Activates {@link MILLION} agents in a fresh process (default Node flags) and returns its table row. */
export function millionRow(activation: Activation = activateInChild('troupe', MILLION)): Row {
  const ok = activation.seconds < MILLION_GOAL.seconds && activation.peakRss < MILLION_GOAL.rss;
  return {
    name: `activate ${activation.count.toLocaleString('en-US')} agents`,
    value: `${activation.seconds.toFixed(1)} s`,
    floor: `${(activation.peakRss / 2 ** 30).toFixed(2)} GiB peak RSS`,
    ratio: '',
    goal: `< 60 s, < 8 GiB ${met(ok)}`,
    note: `${Math.round(activation.perAgent).toLocaleString('en-US')} B/agent, ${activation.cpuSeconds.toFixed(1)} CPU s`,
  };
}
