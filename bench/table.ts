/** One row of a benchmark table. */
export interface Row {
  name: string;
  value: string;
  floor?: string;
  ratio?: string;
  /** The goal and whether it is met, e.g. `≥ 0.8× (met)`; the column shows when any row has one. */
  goal?: string;
  note?: string;
}

/** Prints rows as a fixed-width table with a title. */
export function printTable(title: string, rows: Row[]): void {
  const all: Array<[keyof Row, string]> = [
    ['name', 'case'],
    ['value', 'ours'],
    ['floor', 'floor / peer'],
    ['ratio', 'ratio'],
    ['goal', 'goal'],
    ['note', 'note'],
  ];
  const cols = all.filter(([k]) => k !== 'goal' || rows.some((r) => r.goal !== undefined));
  const width = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(cols.map(([, h]) => h)));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map(([k]) => r[k] ?? '')));
}

/** Runs `fn` and returns the operations per second it achieved over `ops` operations. */
export async function opsPerSec(ops: number, fn: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await fn();
  return (ops / (performance.now() - start)) * 1000;
}

/** The best of `runs` measurements (after one warm-up). */
export async function best(runs: number, measure: () => Promise<number>): Promise<number> {
  await measure();
  let top = 0;
  for (let i = 0; i < runs; i++) top = Math.max(top, await measure());
  return top;
}

/** `12,345/s` */
export function rate(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')}/s`;
}

/**
 * Ours against a floor where more is better: the ratio, and the goal (the least ratio wanted) with
 * whether it is met.
 */
export function versus(ours: number, floor: number, goal: number): Pick<Row, 'ratio' | 'goal'> {
  const ratio = ours / floor;
  return { ratio: `${ratio.toFixed(2)}×`, goal: `≥ ${goal}× ${met(ratio >= goal)}` };
}

/** `(met)` or `(missed)`. */
export function met(ok: boolean): string {
  return ok ? '(met)' : '(missed)';
}

/** Runs `one(0..ops-1)` with `width` of them in flight at a time. */
export async function inFlight(
  ops: number,
  width: number,
  one: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < ops) await one(next++);
  };
  await Promise.all(Array.from({ length: width }, lane));
}
