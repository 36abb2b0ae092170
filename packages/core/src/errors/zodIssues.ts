import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';

/** Builds a {@link ValidationError} from zod issues, prefixing every path with `root`. */
export function validationErrorFromZod(error: z.ZodError, root: string, what: string): ValidationError {
  const issues: ValidationIssue[] = error.issues.map((issue) => ({
    path: [root, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const detail = first ? `${first.path || root}: ${first.message}` : 'invalid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ValidationError(`invalid ${what}: ${detail}${more}`, { issues });
}
