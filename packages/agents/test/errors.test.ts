import { inspect } from 'node:util';
import { errorToWire } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ContentFilterError,
  ContextLengthError,
  ModelErrorCode,
  RateLimitError,
  redactSecrets,
  ServerError,
} from '../src/index.js';
import { classifyError, redactedCause } from '../src/model/classifyError.js';
import { registerSecret } from '../src/model/redact.js';

const info = (over: Partial<Parameters<typeof classifyError>[0]>) => ({
  provider: 'p',
  model: 'm',
  status: 400,
  headers: undefined,
  message: 'bad',
  type: undefined,
  code: undefined,
  requestId: 'req_9',
  ...over,
});

describe('classifyError', () => {
  it.each([
    [{ status: 429 }, RateLimitError, true],
    [{ status: 401 }, AuthenticationError, false],
    [{ status: 403 }, AuthenticationError, false],
    [{ status: 400, code: 'context_length_exceeded' }, ContextLengthError, false],
    [
      { status: 400, message: 'prompt is too long: 210000 tokens > 200000 maximum' },
      ContextLengthError,
      false,
    ],
    [{ status: 413 }, ContextLengthError, false],
    [{ status: 400, code: 'content_filter' }, ContentFilterError, false],
    [{ status: 400, code: 'data_inspection_failed' }, ContentFilterError, false],
    [{ status: 500 }, ServerError, true],
    [{ status: 529, type: 'overloaded_error' }, ServerError, true],
    [{ status: 408 }, ServerError, true],
    [{ status: undefined, type: 'overloaded_error' }, ServerError, true],
    [{ status: undefined, type: 'rate_limit_error' }, RateLimitError, true],
    [{ status: 404 }, BadRequestError, false],
    [{ status: 422 }, BadRequestError, false],
  ] as const)('should map %o', (over, Class, retryable) => {
    const err = classifyError(info(over), new Error('cause'));
    expect(err).toBeInstanceOf(Class);
    expect(err.isRetryable).toBe(retryable);
    expect(err.requestId).toBe('req_9');
  });

  it('should let x-should-retry override the default', () => {
    const headers = new Headers({ 'x-should-retry': 'false' });
    expect(classifyError(info({ status: 500, headers }), new Error('c')).isRetryable).toBe(false);
    const yes = new Headers({ 'x-should-retry': 'true' });
    expect(classifyError(info({ status: 404, headers: yes }), new Error('c')).isRetryable).toBe(true);
  });

  it('should carry retryAfter, code and status into the wire form', () => {
    const err = classifyError(
      info({ status: 429, headers: new Headers({ 'retry-after': '7' }) }),
      new Error('c'),
    );
    expect(err.retryAfter).toBe(7_000);
    expect(errorToWire(err)).toMatchObject({
      code: ModelErrorCode.RateLimit,
      retryable: true,
      data: { retryAfter: 7_000, status: 429, requestId: 'req_9', provider: 'p', model: 'm' },
    });
  });
});

describe('redaction', () => {
  it('should mask registered keys, bearer tokens, sk- keys and api-key fields', () => {
    registerSecret('my-very-private-key-42');
    expect(redactSecrets('key my-very-private-key-42 here')).toBe('key [redacted] here');
    expect(redactSecrets('Authorization: Bearer abc.def-ghi')).toBe('Authorization: [redacted]');
    expect(redactSecrets('got Bearer abc.def-ghi back')).toBe('got Bearer [redacted] back');
    expect(redactSecrets('Incorrect API key provided: sk-proj-ABCDEFGH12345')).toBe(
      'Incorrect API key provided: [redacted]',
    );
    expect(redactSecrets('{"x-api-key": "zzzzzzzz"}')).toBe('{"x-api-key": "[redacted]"}');
  });

  it('should keep no secret in a redacted cause chain', () => {
    const sdk = new Error('401 Incorrect API key provided: sk-live-0123456789', {
      cause: new Error('Bearer sk-live-0123456789'),
    });
    const err = classifyError(info({ status: 401, message: sdk.message }), redactedCause(sdk));
    const dump = `${inspect(err, { depth: 10 })}\n${JSON.stringify(errorToWire(err))}`;
    expect(dump).not.toContain('sk-live-0123456789');
    expect(dump).toContain('[redacted]');
  });
});
