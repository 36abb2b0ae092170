import { validationErrorFromZod } from '@troupe/core';
import type { z } from 'zod';

/** Parses `value` with `schema`; throws `ValidationError` (HTTP 400) naming each field (paths relative to the body, query or params). */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success)
    throw validationErrorFromZod(result.error, '', where === 'body' ? 'request body' : `request ${where}`);
  return result.data;
}
