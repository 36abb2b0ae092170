import { trackProgress } from '@troupe/core';
import { parallel, run } from '@troupe/pipelines';
const noop = (n: number) => n;
async function once(width: number, mode: 'none' | 'raw' | 'track') {
  const p = parallel(Array.from({ length: width }, () => noop), { failFast: true });
  const t0 = performance.now();
  const h = run(p, 1);
  if (mode === 'raw') h.progress$.subscribe(() => {});
  if (mode === 'track') trackProgress(h.progress$).subscribe(() => {});
  await h.result;
  return ((performance.now() - t0) * 1000) / width;
}
for (const w of [1000, 10000, 100000]) {
  for (const m of ['none', 'raw', 'track'] as const) {
    if (m === 'track' && w > 2000) continue;
    let best = Infinity;
    for (let i = 0; i < 3; i++) best = Math.min(best, await once(w, m));
    console.log(w, m, best.toFixed(2), 'µs/item');
  }
}
