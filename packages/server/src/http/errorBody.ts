import { TroupeError, ValidationError } from '@troupe/core';
import { ServerErrorCode } from '../errors.js';

/** The JSON body of a failed request. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

const STATUS_OF_CODE: Record<string, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  NOT_SUSPENDED: 409,
  PAYLOAD_TOO_LARGE: 413,
};

/** The HTTP status and body for `err`: Troupe codes by the table above, Fastify's 4xx as they are, else 500 (message hidden). */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ValidationError) {
    return {
      status: 400,
      body: { error: { code: err.code, message: err.message, issues: [...err.issues] } },
    };
  }
  if (err instanceof TroupeError) {
    const status = STATUS_OF_CODE[err.code] ?? 500;
    const message = status === 500 ? 'internal error' : err.message;
    return {
      status,
      body: { error: { code: status === 500 ? ServerErrorCode.Internal : err.code, message } },
    };
  }
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code =
      e.statusCode === 413
        ? ServerErrorCode.PayloadTooLarge
        : e.statusCode === 404
          ? ServerErrorCode.NotFound
          : e.statusCode === 401
            ? ServerErrorCode.Unauthorized
            : ServerErrorCode.Validation;
    return { status: e.statusCode, body: { error: { code, message: e.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: ServerErrorCode.Internal, message: 'internal error' } } };
}
