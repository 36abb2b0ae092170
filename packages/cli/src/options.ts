import { InvalidArgumentError } from 'commander';

/** Parses a positive integer flag value (commander argument parser); a bad value exits 2. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

/** Parses a positive number flag value (USD budgets). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

/** Parses a JSON flag value. */
export function json(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new InvalidArgumentError(`expected JSON, got '${value}'`);
  }
}

/** The default store directory, relative to the working directory. */
export const DEFAULT_STORE = '.troupe';

/** The namespace from the flag, `TROUPE_NAMESPACE`, else `default`. */
export function namespaceOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.TROUPE_NAMESPACE ?? 'default';
}
