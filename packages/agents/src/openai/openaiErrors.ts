import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { classifyError, redactedCause } from '../model/classifyError.js';
import {
  IncompleteResponseError,
  InvalidResponseError,
  ModelConnectionError,
  ModelError,
} from '../model/errors.js';
import { isRecord, str } from '../model/json.js';

/** Where the error happened: before the response (`request`) or while reading a streamed body (`body`). */
export type Phase = 'request' | 'body';

/**
 * Turns whatever the openai SDK threw into the model error taxonomy. Aborts
 * pass through (the engine knows why it aborted); the SDK error itself is
 * never kept as `cause`, only a redacted copy.
 */
export function fromOpenAIError(
  err: unknown,
  origin: { provider: string; model: string },
  phase: Phase,
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
    return classifyError(
      {
        ...origin,
        status: err.status,
        headers: err.headers,
        message: str(body.message) ?? err.message,
        type: err.type ?? str(body.type),
        code: err.code ?? undefined,
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
