import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** The OTel SDK registered for one test file: an in-memory exporter, and a context manager unless told not to. */
export interface Tracing extends AsyncDisposable {
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
}

/** Registers a tracer provider exporting to memory (and the AsyncLocalStorage context manager). */
export function installTracing(options: { contextManager?: boolean } = {}): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  if (options.contextManager !== false)
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    async [Symbol.asyncDispose]() {
      trace.disable();
      context.disable();
      await provider.shutdown();
    },
  };
}

/** The one finished span named `name` (fails when there is none or more than one). */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one span '${name}', found ${found.length} among: ${spans.map((s) => s.name).join(', ')}`,
    );
  }
  return found[0] as ReadableSpan;
}

/** Whether `child`'s parent is `parent` (same trace, parent span id). */
export function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  const p = child.parentSpanContext;
  return (
    p !== undefined &&
    p.traceId === parent.spanContext().traceId &&
    p.spanId === parent.spanContext().spanId &&
    child.spanContext().traceId === parent.spanContext().traceId
  );
}
