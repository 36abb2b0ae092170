import { type Attributes, type Context, context, type Span, trace } from '@opentelemetry/api';
import { markSpanFailed, tracingOn } from '@troupe/core';
import type { RunStatus, TaskScope } from './scope.js';

/**
 * Spans of runs (`run <name>`) and steps (`step <name>`) through `@opentelemetry/api` only. Nothing
 * is made unless an application registered a tracer provider; a step's span is a child of the span
 * active where it starts (its parent step's, or its run's, with a context manager registered), and
 * what the step asks or calls runs with the step's span active.
 */

/** The instrumentation scope of these spans. */
const TRACER_NAME = '@troupe/pipelines';

/** A run's span and the context its body runs in. */
export interface RunSpan {
  span: Span;
  context: Context;
}

/** Starts the span of a run under `parent` (the context where the run was made); undefined when tracing is off. */
export function startRunSpan(
  run: { name: string; runId: string },
  parent: Context | undefined,
): RunSpan | undefined {
  if (parent === undefined || !tracingOn()) return undefined;
  const attributes: Attributes = { 'troupe.run.id': run.runId, 'troupe.run.name': run.name };
  const span = trace.getTracer(TRACER_NAME).startSpan(`run ${run.name}`, { attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a run's span with how the run ended (`troupe.run.status`; failed, timed out or cancelled is an error). */
export function endRunSpan(run: RunSpan | undefined, status: RunStatus, error: Error | undefined): void {
  if (run === undefined) return;
  run.span.setAttribute('troupe.run.status', status);
  if (status !== 'completed') markSpanFailed(run.span, error ?? new Error(`run ${status}`));
  run.span.end();
}

/** Runs one step (every attempt of it) inside its span `step <name>`, a child of the active span. */
export function inStepSpan<O>(task: TaskScope, work: () => Promise<O>): Promise<O> {
  const attributes: Attributes = {
    'troupe.run.id': task.runId,
    'troupe.task.id': task.taskId,
    'troupe.task.name': task.name,
  };
  if (task.agent !== undefined) attributes['troupe.task.agent'] = task.agent;
  const parent = context.active();
  const span = trace.getTracer(TRACER_NAME).startSpan(`step ${task.name}`, { attributes }, parent);
  let running: Promise<O>;
  try {
    running = context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    running = Promise.reject(err);
  }
  return running.then(
    (value) => {
      span.setAttribute('troupe.task.attempts', task.attempt);
      span.end();
      return value;
    },
    (err: unknown) => {
      span.setAttribute('troupe.task.attempts', task.attempt);
      markSpanFailed(span, err);
      span.end();
      throw err;
    },
  );
}
