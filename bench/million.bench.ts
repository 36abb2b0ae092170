/**
 * pnpm bench:million — 1,000,000 keyed agents activated (one ask each, 1,000 in flight) in a fresh
 * process with Node's default heap settings: time, peak RSS and bytes per agent, against the goal
 * (< 60 s, < 8 GiB). BENCH_MILLION_FLOOR=1 also activates as many bare XState actors.
 */
import { activateInChild } from './core/activation.js';
import { MILLION, millionRow } from './core/million.js';
import { printTable, type Row } from './table.js';

const rows: Row[] = [millionRow()];
if (process.env.BENCH_MILLION_FLOOR === '1') {
  const bare = activateInChild('xstate', MILLION);
  rows.push({
    name: `${bare.count.toLocaleString('en-US')} bare XState actors`,
    value: `${bare.seconds.toFixed(1)} s`,
    floor: `${(bare.peakRss / 2 ** 30).toFixed(2)} GiB peak RSS`,
    note: `${Math.round(bare.perAgent).toLocaleString('en-US')} B/agent, ${bare.cpuSeconds.toFixed(1)} CPU s`,
  });
}
printTable(`bench:million — Node ${process.version}`, rows);
