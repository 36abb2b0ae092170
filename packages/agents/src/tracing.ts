import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { markSpanFailed, tracingOn } from '@troupe/core';
import type { ChatRequest, ChatResult, ToolCall } from './model/types.js';

/**
 * Spans of model calls and tool calls through `@opentelemetry/api` only, named and labelled by the
 * OpenTelemetry GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/):
 * `chat <model>` (client) and `execute_tool <tool>`. Nothing is made unless an application
 * registered a tracer provider; each span is a child of the active span (the handler's or step's).
 */

const TRACER_NAME = '@troupe/agents';

/** A model call's span and the context the provider request runs in. */
export interface ModelSpan {
  span: Span;
  context: Context;
}

/** Starts the span of one model call (retries included); undefined when tracing is off. */
export function startModelSpan(
  label: { provider: string; model: string },
  request: ChatRequest<unknown>,
): ModelSpan | undefined {
  if (!tracingOn()) return undefined;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': label.provider,
    // The older name of the provider attribute, still read by many backends.
    'gen_ai.system': label.provider,
    'gen_ai.request.model': label.model,
  };
  if (request.temperature !== undefined) attributes['gen_ai.request.temperature'] = request.temperature;
  if (request.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = request.maxTokens;
  if (request.agent !== undefined) attributes['gen_ai.agent.name'] = request.agent;
  const parent = context.active();
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(`chat ${label.model}`, { kind: SpanKind.CLIENT, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a model call's span with the answer's model, tokens and finish reason, or with its error. */
export function endModelSpan(
  traced: ModelSpan | undefined,
  outcome: { result: ChatResult<unknown> } | { error: unknown },
): void {
  if (traced === undefined) return;
  const span = traced.span;
  if ('result' in outcome) {
    const r = outcome.result;
    span.setAttributes({
      'gen_ai.response.model': r.model,
      'gen_ai.usage.input_tokens': r.usage.inputTokens,
      'gen_ai.usage.output_tokens': r.usage.outputTokens,
      'gen_ai.response.finish_reasons': [r.stopReason],
      'troupe.model.attempts': r.attempts,
    });
    if (r.costUsd !== undefined) span.setAttribute('troupe.model.cost_usd', r.costUsd);
    if (r.requestId !== undefined) span.setAttribute('troupe.model.request_id', r.requestId);
  } else {
    markSpanFailed(span, outcome.error);
  }
  span.end();
}

/** Runs `work` (one tool call) in its span `execute_tool <name>`; a failed outcome marks the span as an error. */
export function inToolSpan<T extends { ok: boolean; error?: string }>(
  call: ToolCall,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return work();
  const attributes: Attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': call.name,
    'gen_ai.tool.call.id': call.id,
    'gen_ai.tool.type': 'function',
  };
  const parent = context.active();
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(`execute_tool ${call.name}`, { kind: SpanKind.INTERNAL, attributes }, parent);
  let running: Promise<T>;
  try {
    running = context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    running = Promise.reject(err);
  }
  return running.then(
    (outcome) => {
      if (!outcome.ok) {
        span.setAttribute('error.type', 'tool_error');
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: (outcome.error ?? 'tool failed').slice(0, 500),
        });
      }
      span.end();
      return outcome;
    },
    (err: unknown) => {
      markSpanFailed(span, err);
      span.end();
      throw err;
    },
  );
}
