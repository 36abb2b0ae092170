export { inFlight } from '../table.js';

/** Seconds `fn` takes. */
export async function seconds(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}
