/** Runs `ops` calls of `one` with at most `width` in flight at once. */
export async function inFlight(
  ops: number,
  width: number,
  one: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < ops) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, ops) }, lane));
}

/** Seconds `fn` takes. */
export async function seconds(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}
