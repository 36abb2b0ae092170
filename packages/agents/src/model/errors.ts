import { TroupeError, type TroupeErrorOptions } from '@troupe/core';
import { redactSecrets } from './redact.js';

/** Stable codes of model-client errors. */
export const ModelErrorCode = {
  RateLimit: 'MODEL_RATE_LIMIT',
  Authentication: 'MODEL_AUTHENTICATION',
  ContextLength: 'MODEL_CONTEXT_LENGTH',
  ContentFilter: 'MODEL_CONTENT_FILTER',
  Server: 'MODEL_SERVER',
  Connection: 'MODEL_CONNECTION',
  BadRequest: 'MODEL_BAD_REQUEST',
  Incomplete: 'MODEL_INCOMPLETE_RESPONSE',
  InvalidResponse: 'MODEL_INVALID_RESPONSE',
  MissingApiKey: 'MODEL_MISSING_API_KEY',
} as const;

/** What every model error may carry besides a message. */
export interface ModelErrorOptions extends TroupeErrorOptions {
  /** The provider's request id (`x-request-id`, `request-id`). */
  requestId?: string | undefined;
  /** HTTP status, when there was a response. */
  status?: number | undefined;
  /** `openai`, `anthropic`, … */
  provider?: string | undefined;
  /** The model asked. */
  model?: string | undefined;
  /** How long the server asked us to wait before retrying, ms (`retry-after-ms` / `retry-after`). */
  retryAfter?: number | undefined;
}

/**
 * Base of every model-client error: a stable `code`, `isRetryable`,
 * `requestId`, `status`, and a message with any API key or auth header masked.
 */
export class ModelError extends TroupeError {
  readonly requestId: string | undefined;
  readonly status: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  /** Server-requested wait before a retry, ms; set from `retry-after-ms`/`retry-after` when present. */
  readonly retryAfter: number | undefined;

  constructor(code: string, message: string, options: ModelErrorOptions = {}) {
    const { requestId, status, provider, model, retryAfter, ...rest } = options;
    const data: Record<string, unknown> = { ...rest.data };
    if (requestId !== undefined) data.requestId = requestId;
    if (status !== undefined) data.status = status;
    if (provider !== undefined) data.provider = provider;
    if (model !== undefined) data.model = model;
    if (retryAfter !== undefined) data.retryAfter = retryAfter;
    super(code, redactSecrets(message), { ...rest, data });
    this.requestId = requestId;
    this.status = status;
    this.provider = provider;
    this.model = model;
    this.retryAfter = retryAfter;
  }

  /** Whether the same call may succeed if retried. */
  get isRetryable(): boolean {
    return this.retryable;
  }
}

/** 429: too many requests or tokens; retryable (`retryAfter` says how long to wait), except an exhausted quota. */
export class RateLimitError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.RateLimit, message, { retryable: true, ...options });
  }
}

/** 401/403: the API key is missing, wrong or lacks permission. Not retryable. */
export class AuthenticationError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.Authentication, message, { retryable: false, ...options });
  }
}

/** The prompt (plus `maxTokens`) exceeds the model's context window. Not retryable as is: compact first. */
export class ContextLengthError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.ContextLength, message, { retryable: false, ...options });
  }
}

/** The provider's safety system blocked the prompt or the answer, or the model refused. Not retryable. */
export class ContentFilterError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.ContentFilter, message, { retryable: false, ...options });
  }
}

/** 5xx, 408, 409, Anthropic's 529 overloaded, or an error event in a stream. Retryable. */
export class ServerError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.Server, message, { retryable: true, ...options });
  }
}

/** The server could not be reached or the connection failed before a response. Retryable. */
export class ModelConnectionError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.Connection, message, { retryable: true, ...options });
  }
}

/** 400/404/422 that is none of the above: the request itself is wrong (unknown model, bad parameter). Not retryable. */
export class BadRequestError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.BadRequest, message, { retryable: false, ...options });
  }
}

/** A response that ended before it was complete (e.g. a stream cut mid tool-call arguments). Retryable. */
export class IncompleteResponseError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.Incomplete, message, { retryable: true, ...options });
  }
}

/** A response that is not what the wire format promises: malformed JSON, a missing field, output failing its schema. */
export class InvalidResponseError extends ModelError {
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(ModelErrorCode.InvalidResponse, message, { retryable: false, ...options });
  }
}

/** A named provider was asked for but its API key (or base URL) is not set; `variable` names the setting. */
export class MissingApiKeyError extends ModelError {
  /** The environment variable to set, e.g. `OPENAI_API_KEY`. */
  readonly variable: string;

  constructor(variable: string, what: string, options: ModelErrorOptions = {}) {
    super(
      ModelErrorCode.MissingApiKey,
      `${what} needs ${variable}; set it in the environment or pass it in options`,
      {
        retryable: false,
        ...options,
        data: { ...options.data, variable },
      },
    );
    this.variable = variable;
  }
}
