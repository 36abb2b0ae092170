import { ValidationError } from '@troupe/core';

/** `limit` or its default; a non-integer or a value below 1 is a ValidationError, above `max` is cut to `max`. */
export function pageLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError(`limit must be a positive integer, got ${String(limit)}`, {
      issues: [{ path: 'limit', message: 'must be a positive integer' }],
    });
  }
  return Math.min(limit, max);
}

/** Where a newest-first listing of runs stopped: the last run's `createdAt` and `id`. */
export interface RunCursor {
  createdAt: number;
  id: string;
}

/** An opaque cursor (base64url of `[createdAt, id]`). */
export function encodeCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** Reads a cursor made by {@link encodeCursor}; anything else is a ValidationError on `cursor`. */
export function decodeCursor(text: string): RunCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isFinite(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new ValidationError('cursor is not one this server handed out', {
    issues: [{ path: 'cursor', message: 'unknown cursor' }],
  });
}

/** `after` or 0; a negative or non-integer value is a ValidationError. */
export function afterSeq(after: number | undefined): number {
  if (after === undefined) return 0;
  if (!Number.isInteger(after) || after < 0) {
    throw new ValidationError(`after must be a non-negative integer, got ${String(after)}`, {
      issues: [{ path: 'after', message: 'must be a non-negative integer' }],
    });
  }
  return after;
}
