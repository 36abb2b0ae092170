import { parallel, run } from '@troupe/pipelines';
const noop = (n: number) => n;
const p = parallel(Array.from({ length: 100000 }, () => noop), { failFast: true });
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const h = run(p, 1);
  h.progress$.subscribe(() => {});
  await h.result;
  console.log(((performance.now() - t0) * 1000) / 100000);
}
