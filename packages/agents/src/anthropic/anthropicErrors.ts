import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { classifyError, redactedCause } from '../model/classifyError.js';
import {
  IncompleteResponseError,
  InvalidResponseError,
  ModelConnectionError,
  ModelError,
} from '../model/errors.js';
import { isRecord, str } from '../model/json.js';

/**
 * Turns whatever `@anthropic-ai/sdk` threw into the model error taxonomy.
 * Aborts pass through; the SDK error is never kept, only a redacted copy.
 * `phase` says whether a streamed body was being read (a break there is an
 * incomplete response).
 */
export function fromAnthropicError(
  err: unknown,
  origin: { provider: string; model: string },
  phase: 'request' | 'body',
): unknown {
  if (err instanceof ModelError || err instanceof APIUserAbortError) return err;
  const cause = redactedCause(err);
  const what = `${origin.provider} ${origin.model}`;
  if (err instanceof APIConnectionTimeoutError) {
    return new ModelConnectionError(`${what}: the request timed out`, { ...origin, cause });
  }
  if (err instanceof APIConnectionError) {
    return new ModelConnectionError(`${what}: could not reach the server: ${err.message}`, {
      ...origin,
      cause,
    });
  }
  if (err instanceof APIError) {
    const body = isRecord(err.error) ? err.error : {};
    const inner = isRecord(body.error) ? body.error : body;
    return classifyError(
      {
        ...origin,
        status: err.status,
        headers: err.headers,
        message: err.apiMessage ?? str(inner.message) ?? err.message,
        type: err.type ?? str(inner.type),
        code: err.errorCode ?? undefined,
        requestId: err.requestID ?? undefined,
      },
      cause,
    );
  }
  if (err instanceof SyntaxError) {
    return new InvalidResponseError(`${what}: malformed JSON from the server: ${err.message}`, {
      ...origin,
      cause,
    });
  }
  if (phase === 'body') {
    return new IncompleteResponseError(`${what}: the stream broke off: ${cause.message}`, {
      ...origin,
      cause,
    });
  }
  return new ModelConnectionError(`${what}: ${cause.message}`, { ...origin, cause });
}
