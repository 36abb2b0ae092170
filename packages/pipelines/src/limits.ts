import { ValidationError } from '@troupe/core';

/**
 * Checks a concurrency option (`maxConcurrency`, `maxConcurrent`): an integer ≥ 1, or Infinity
 * (the default when it is not given). Anything else (`2.5`, `0`, `NaN`) is a `ValidationError`
 * naming the option, thrown where the combinator is built.
 */
export function concurrencyLimit(where: string, option: string, value: number | undefined): number {
  const limit = value ?? Number.POSITIVE_INFINITY;
  if (limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 1)) return limit;
  throw new ValidationError(`${where}: ${option} must be an integer >= 1 or Infinity, got ${limit}`, {
    issues: [{ path: option, message: 'must be an integer >= 1 or Infinity' }],
  });
}
