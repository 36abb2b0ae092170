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

/** Codes of Fastify's own 4xx answers (a body it could not parse is a validation failure). */
const CODE_OF_STATUS: Record<number, string> = {
  400: ServerErrorCode.Validation,
  401: ServerErrorCode.Unauthorized,
  404: ServerErrorCode.NotFound,
  413: ServerErrorCode.PayloadTooLarge,
  415: ServerErrorCode.UnsupportedMediaType,
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
    const code = CODE_OF_STATUS[e.statusCode] ?? ServerErrorCode.BadRequest;
    return { status: e.statusCode, body: { error: { code, message: e.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: ServerErrorCode.Internal, message: 'internal error' } } };
}
