import {
  AuthenticationError,
  BadRequestError,
  ContentFilterError,
  ContextLengthError,
  type ModelError,
  type ModelErrorOptions,
  RateLimitError,
  ServerError,
} from './errors.js';
import { redactSecrets } from './redact.js';
import { parseRetryAfter } from './retryAfter.js';

/** What an SDK's API error tells about a failed call. */
export interface HttpErrorInfo {
  provider: string;
  model: string;
  /** HTTP status; undefined for an error event inside a stream. */
  status: number | undefined;
  headers: Headers | undefined;
  message: string;
  /** The error body's `type` (`rate_limit_error`, `invalid_request_error`, …). */
  type: string | undefined;
  /** The error body's `code` (`context_length_exceeded`, `insufficient_quota`, …). */
  code: string | undefined;
  requestId: string | undefined;
}

const contextLength =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|reduce the length|input is too long/i;
const contentFilter =
  /content[_ ]filter|content[_ ]policy|content management|data_inspection_failed|safety system/i;

/** Maps an HTTP (or in-stream) API error to the model error taxonomy; `cause` should already be redacted. */
export function classifyError(info: HttpErrorInfo, cause: Error): ModelError {
  const where = info.status === undefined ? 'stream error' : `HTTP ${info.status}`;
  const message = `${info.provider} ${info.model}: ${where}: ${info.message}`;
  const options: ModelErrorOptions = {
    cause,
    provider: info.provider,
    model: info.model,
    status: info.status,
    requestId: info.requestId,
    retryAfter: parseRetryAfter(info.headers),
  };
  const shouldRetry = info.headers?.get('x-should-retry');
  if (shouldRetry === 'true' || shouldRetry === 'false') options.retryable = shouldRetry === 'true';
  const tag = `${info.type ?? ''} ${info.code ?? ''}`;
  const text = `${tag} ${info.message}`;
  const status = info.status;
  if (status === 429 || /rate_limit/.test(tag)) {
    // An exhausted quota answers 429 too, and waiting does not refill it.
    if (info.code === 'insufficient_quota') options.retryable = false;
    return new RateLimitError(message, options);
  }
  if (status === 401 || status === 403 || /authentication|permission/.test(tag)) {
    return new AuthenticationError(message, options);
  }
  if (status === 413 || contextLength.test(text)) return new ContextLengthError(message, options);
  if (contentFilter.test(text)) return new ContentFilterError(message, options);
  if (
    status === undefined ||
    status >= 500 ||
    status === 408 ||
    status === 409 ||
    /overloaded|server_error|api_error/.test(tag)
  ) {
    return new ServerError(message, options);
  }
  return new BadRequestError(message, options);
}

/** A plain `Error` with `error`'s name and redacted message: SDK errors are not kept as causes, lest they hold secrets. */
export function redactedCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(redactSecrets(String(error)));
  const copy = new Error(redactSecrets(error.message));
  copy.name = error.name;
  const inner = (error as { cause?: unknown }).cause;
  if (inner instanceof Error) copy.cause = redactedCause(inner);
  return copy;
}
