import { errorToWire, type ProgressInput } from '@troupe/core';
import type { ChatResult, ProgressSink } from './types.js';

/** Labels common to a call's events. */
export interface CallLabel {
  model: string;
  provider: string;
  agent: string | undefined;
}

/** Emits `task.model_call` and `task.tokens` for a finished call. */
export function emitSuccess(
  sink: ProgressSink | undefined,
  label: CallLabel,
  result: ChatResult<unknown>,
): void {
  if (!sink) return;
  const call: ProgressInput & { kind: 'task.model_call' } = {
    kind: 'task.model_call',
    model: label.model,
    provider: label.provider,
    latencyMs: result.latencyMs,
    inputTokens: result.usage.inputTokens,
    outputTokens: result.usage.outputTokens,
    stopReason: result.stopReason,
    attempts: result.attempts,
  };
  if (result.usage.cacheReadTokens !== undefined) call.cacheReadTokens = result.usage.cacheReadTokens;
  if (result.costUsd !== undefined) call.costUsd = result.costUsd;
  if (result.requestId !== undefined) call.requestId = result.requestId;
  if (label.agent !== undefined) call.agent = label.agent;
  sink.emit(call);
  const tokens: ProgressInput = {
    kind: 'task.tokens',
    input: result.usage.inputTokens,
    output: result.usage.outputTokens,
    model: label.model,
  };
  if (label.agent !== undefined) tokens.agent = label.agent;
  sink.emit(tokens);
}

/** Emits `task.model_call` with the error of a failed call. */
export function emitFailure(
  sink: ProgressSink | undefined,
  label: CallLabel,
  failure: { error: unknown; latencyMs: number; attempts: number },
): void {
  if (!sink) return;
  const call: ProgressInput & { kind: 'task.model_call' } = {
    kind: 'task.model_call',
    model: label.model,
    provider: label.provider,
    latencyMs: failure.latencyMs,
    inputTokens: 0,
    outputTokens: 0,
    attempts: failure.attempts,
    error: errorToWire(failure.error),
  };
  const requestId = (failure.error as { requestId?: unknown }).requestId;
  if (typeof requestId === 'string') call.requestId = requestId;
  if (label.agent !== undefined) call.agent = label.agent;
  sink.emit(call);
}

/** Emits a `task.log` warning that the call is retried after `delayMs`. */
export function emitRetry(
  sink: ProgressSink | undefined,
  label: CallLabel,
  retry: { error: unknown; attempt: number; delayMs: number },
): void {
  if (!sink) return;
  const err = retry.error as { code?: unknown; message?: unknown };
  const event: ProgressInput = {
    kind: 'task.log',
    level: 'warn',
    message: `${label.provider} ${label.model}: attempt ${retry.attempt} failed (${String(err.code ?? 'error')}); retrying in ${Math.round(retry.delayMs)} ms`,
  };
  if (label.agent !== undefined) event.agent = label.agent;
  sink.emit(event);
}
