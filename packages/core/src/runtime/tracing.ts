import {
  type Attributes,
  type Context,
  context,
  createTraceState,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Envelope } from '../messages/envelope.js';

/**
 * Spans of asks, tells and handlers through `@opentelemetry/api` only: nothing is made unless an
 * application registered a tracer provider, and the W3C trace context of each message travels in
 * its envelope (`traceparent`, `tracestate`), so one trace follows a run across processes.
 */

/** The instrumentation scope of the runtime's spans. */
export const TRACER_NAME = '@troupe/core';

// What the API hands out while no provider is registered; a registered one (from any copy of the API) differs.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
// Where every copy of API 1.x registers its globals; `trace` is set only once a tracer provider is.
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether an OpenTelemetry tracer provider is registered (through any copy of `@opentelemetry/api`
 * 1.x): Troupe makes spans only then. Without one this is a property read, so untraced asks cost
 * nothing more.
 */
export function tracingOn(): boolean {
  if ((globalThis as { [API_GLOBALS]?: { trace?: unknown } })[API_GLOBALS]?.trace === undefined) return false;
  const provider = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  return typeof provider.getDelegate !== 'function' || provider.getDelegate() !== NOOP_PROVIDER;
}

// Version 00 exactly; a later version may append fields (W3C Trace Context, section 3.2).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The context a W3C `traceparent` (and `tracestate`) names, as a remote parent; `undefined` for a
 * missing or malformed header (a bad one starts a new trace rather than failing the message).
 */
export function contextFromTraceparent(
  traceparent: string | undefined,
  tracestate?: string,
): Context | undefined {
  if (traceparent === undefined) return undefined;
  const m = TRACEPARENT.exec(traceparent);
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  const traceId = m[2] as string;
  const spanId = m[3] as string;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  const spanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(m[4] as string, 16) & 1,
    isRemote: true,
  };
  const withState = tracestate ? { ...spanContext, traceState: createTraceState(tracestate) } : spanContext;
  return trace.setSpanContext(ROOT_CONTEXT, withState);
}

function traceparentOf(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Longest `tracestate` a message or a task carries (the envelope's limit); W3C lets a longer one be dropped. */
const TRACESTATE_MAX = 512;

/** Writes `span`'s context into `carrier` as W3C `traceparent` and `tracestate` (dropped past 512 characters). */
function writeContext(span: Span, carrier: TraceFields): void {
  const sc = span.spanContext();
  carrier.traceparent = traceparentOf(sc.traceId, sc.spanId, sc.traceFlags);
  const state = sc.traceState?.serialize();
  if (state && state.length <= TRACESTATE_MAX) carrier.tracestate = state;
  else delete carrier.tracestate;
}

/** Writes the span's context into the envelope as W3C `traceparent` (and `tracestate`). */
export function injectTrace(span: Span, envelope: Envelope): void {
  writeContext(span, envelope);
}

/** W3C trace context as it travels with a message or a queued task. */
export interface TraceFields {
  /** W3C `traceparent`. */
  traceparent?: string;
  /** W3C `tracestate`, with `traceparent`. */
  tracestate?: string;
}

/** A header value NATS carries as is: no CR or LF, no whitespace at either end. */
function headerSafe(value: string): boolean {
  return !/[\r\n]/.test(value) && value.trim() === value;
}

/**
 * The part of `fields` worth carrying on: a `traceparent` that names a trace context (W3C) and
 * can travel as a header, and its `tracestate` when that can too (at most 512 characters).
 * Anything else is left out, so the receiver starts a new trace instead of failing the message.
 */
export function carriedTrace(fields: TraceFields): TraceFields {
  const { traceparent, tracestate } = fields;
  if (typeof traceparent !== 'string' || !headerSafe(traceparent)) return {};
  if (contextFromTraceparent(traceparent) === undefined) return {};
  if (typeof tracestate !== 'string' || tracestate.length > TRACESTATE_MAX || !headerSafe(tracestate)) {
    return { traceparent };
  }
  return { traceparent, tracestate };
}

/**
 * Starts the producer span of work queued outside an envelope (`dispatch <message type>` for a
 * durable task), parented by the context `explicit` names, else the active one, and writes its
 * context into `carrier` so the consumer's spans join the trace. When tracing is off no span is
 * made (`undefined`) and `carrier` is left as it is: the consumer passes on what
 * {@link carriedTrace} keeps of it. End the span with {@link endSpan}.
 */
export function startQueueSpan(
  name: string,
  attributes: Attributes,
  explicit: TraceFields | undefined,
  carrier: TraceFields,
): Span | undefined {
  if (!tracingOn()) return undefined;
  const kept = carriedTrace(explicit ?? {});
  const parent = contextFromTraceparent(kept.traceparent, kept.tracestate) ?? context.active();
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent);
  writeContext(span, carrier);
  return span;
}

/** What a traced delivery carries: its handler's span and the context the handler runs in. */
export interface TracedDelivery {
  readonly envelope: Envelope;
  readonly expectsReply: boolean;
  span?: Span | undefined;
  traceContext?: Context | undefined;
}

/**
 * The parent of an outgoing message: the trace context the caller named, else the active span when
 * it belongs to the asking handler's trace (a span the handler opened), else the handler's own span
 * (so nested asks stay in the trace without a context manager), else whatever is active.
 */
function parentOf(
  from: TracedDelivery | undefined,
  explicit: { traceparent?: string; tracestate?: string } | undefined,
): Context {
  const named = contextFromTraceparent(explicit?.traceparent, explicit?.tracestate);
  if (named) return named;
  const active = context.active();
  const handler = from?.traceContext;
  if (handler === undefined) return active;
  const activeSpan = trace.getSpan(active);
  const handlerTrace = trace.getSpan(handler)?.spanContext().traceId;
  return activeSpan !== undefined && activeSpan.spanContext().traceId === handlerTrace ? active : handler;
}

/**
 * Starts the span of an outgoing ask (`ask <type>`, client) or tell (`tell <type>`, producer) and
 * writes its context into the envelope; `undefined` when tracing is off.
 */
export function startSendSpan(
  envelope: Envelope,
  from: TracedDelivery | undefined,
  explicit: { traceparent?: string; tracestate?: string } | undefined,
  ask: boolean,
): Span | undefined {
  if (!tracingOn()) return undefined;
  const options: SpanOptions = {
    kind: ask ? SpanKind.CLIENT : SpanKind.PRODUCER,
    attributes: messageAttributes(envelope),
  };
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(`${ask ? 'ask' : 'tell'} ${envelope.type}`, options, parentOf(from, explicit));
  injectTrace(span, envelope);
  return span;
}

/** Ends `span` once `work` settles (an error sets its status) and passes the outcome on. */
export function endWhenSettled<T>(span: Span, work: Promise<T>): Promise<T> {
  return work.then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      endSpan(span, err);
      throw err;
    },
  );
}

/**
 * Starts the span of a handler (`handle <type>`: server for an ask, consumer for a tell), a child
 * of the sender's span named by the envelope, and keeps it and its context on the delivery.
 */
export function startHandlerSpan(d: TracedDelivery, agent: { type: string; key: string }): void {
  if (!tracingOn()) return;
  const env = d.envelope;
  const parent = contextFromTraceparent(env.traceparent, env.tracestate) ?? ROOT_CONTEXT;
  const attributes = messageAttributes(env);
  attributes['troupe.agent.key'] = agent.key;
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      `handle ${env.type}`,
      { kind: d.expectsReply ? SpanKind.SERVER : SpanKind.CONSUMER, attributes },
      parent,
    );
  d.span = span;
  d.traceContext = trace.setSpan(parent, span);
}

/** Ends the delivery's handler span, once, with the handler's error if it failed. */
export function endHandlerSpan(d: TracedDelivery, error: unknown): void {
  const span = d.span;
  if (span === undefined) return;
  d.span = undefined;
  endSpan(span, error);
}

/** Runs `fn` with the delivery's handler span active (as is, when tracing is off). */
export function inHandlerContext<T>(d: TracedDelivery, fn: () => T): T {
  const ctx = d.traceContext;
  return ctx === undefined ? fn() : context.with(ctx, fn);
}

/** Ends `span`, marked failed with `error` when there is one. */
export function endSpan(span: Span, error: unknown): void {
  if (error !== undefined) markSpanFailed(span, error);
  span.end();
}

/**
 * Marks `span` failed: status `ERROR` with the error's message, an `exception` event, and
 * `error.type` (the Troupe error `code`, else the error's name).
 */
export function markSpanFailed(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as { code?: unknown }).code;
  span.setAttribute('error.type', typeof code === 'string' ? code : err.name);
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

function messageAttributes(env: Envelope): Attributes {
  const attributes: Attributes = {
    'troupe.message.type': env.type,
    'troupe.message.id': env.id,
    'troupe.agent.type': env.to.type,
  };
  if (env.to.key !== undefined) attributes['troupe.agent.key'] = env.to.key;
  if (env.runId !== undefined) attributes['troupe.run.id'] = env.runId;
  if (env.taskId !== undefined) attributes['troupe.task.id'] = env.taskId;
  return attributes;
}
