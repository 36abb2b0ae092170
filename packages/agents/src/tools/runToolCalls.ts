import type { ProgressInput } from '@troupe/core';
import { CallScope } from '../model/CallScope.js';
import type { ProgressSink, ToolCall, ToolMessage } from '../model/types.js';
import { inToolSpan } from '../tracing.js';
import type { Approver } from './approval.js';
import { type PreviewOptions, previewValue } from './preview.js';
import { failure, parseArguments, type Tool, type ToolContext, type ToolOutcome } from './tool.js';

/** Options of {@link runToolCalls}. */
export interface RunToolCallsOptions {
  /** Aborts every running tool; the call then rejects with its reason (as a Troupe error). */
  signal?: AbortSignal;
  /** Milliseconds for the whole turn; past it the tools are aborted and the call rejects with `TimeoutError`. */
  timeout?: number;
  /** Receives a `task.tool_call` event when each call starts and when it ends. */
  progress?: ProgressSink;
  /** Labels the events. */
  agent?: string;
  /** Size bound and redaction of arguments and results in events (defaults: 1000 chars, secret-looking keys masked). */
  preview?: PreviewOptions;
  /** Decides on calls of tools flagged `needsApproval` (without it they are refused). */
  approve?: Approver;
}

/**
 * Runs the model's tool calls in parallel and answers each with a tool
 * message, in the order of `calls`. An unknown tool, arguments that are not
 * JSON or fail the schema, and a tool that throws all become an error
 * observation (`isError: true`, text naming the problem) so the model can
 * correct itself; only an abort rejects. Each call emits `task.tool_call`
 * `started`, then `succeeded` or `failed` with a bounded, redacted preview of
 * its arguments and `result`.
 */
export async function runToolCalls(
  calls: readonly ToolCall[],
  tools: readonly Tool[],
  options: RunToolCallsOptions = {},
): Promise<ToolMessage[]> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  // A signal of its own per turn: tools may leave listeners on it, which must not pile up on the caller's.
  const scope = new CallScope(options.signal, options.timeout, 'tool calls', true);
  const signal = scope.signal;
  try {
    if (scope.cancelled) throw scope.reason();
    // Settles on abort even when a tool ignores its signal.
    return await scope.race(Promise.all(calls.map((call) => runOne(call, tools, byName, signal, options))));
  } finally {
    scope.dispose();
  }
}

async function runOne(
  call: ToolCall,
  tools: readonly Tool[],
  byName: ReadonlyMap<string, Tool>,
  signal: AbortSignal,
  options: RunToolCallsOptions,
): Promise<ToolMessage> {
  const args = parseArguments(call.arguments);
  emit(options, call, 'started', { args: args.ok ? args.value : call.arguments });
  const found = byName.get(call.name);
  let outcome: ToolOutcome;
  if (!found) {
    const known = tools.map((t) => t.name).join(', ') || 'none';
    outcome = failure(`unknown tool '${call.name}'; available tools: ${known}`);
  } else {
    const ctx: ToolContext = { signal, callId: call.id };
    if (options.progress) ctx.progress = options.progress;
    if (options.approve) ctx.approve = options.approve;
    outcome = await inToolSpan(call, () => found.call(call.arguments, ctx));
  }
  const detail = outcome.ok ? { result: outcome.value } : { error: outcome.error };
  emit(options, call, outcome.ok ? 'succeeded' : 'failed', detail);
  const message: ToolMessage = {
    role: 'tool',
    toolCallId: call.id,
    name: call.name,
    content: outcome.content,
  };
  if (!outcome.ok) message.isError = true;
  return message;
}

function emit(
  options: RunToolCallsOptions,
  call: ToolCall,
  status: 'started' | 'succeeded' | 'failed',
  detail: { args?: unknown; result?: unknown; error?: string },
): void {
  const sink = options.progress;
  if (!sink) return;
  const event: Record<string, unknown> = { kind: 'task.tool_call', tool: call.name, callId: call.id, status };
  if (options.agent !== undefined) event.agent = options.agent;
  if ('args' in detail) event.args = previewValue(detail.args, options.preview);
  if ('result' in detail) event.result = previewValue(detail.result, options.preview);
  if (detail.error !== undefined) event.error = previewValue(detail.error, options.preview);
  sink.emit(event as ProgressInput);
}
