import { type ExecutorInfo, type ReActOutcome, ReActRun } from '@troupe/agents';
import { type Message, TroupeError, ValidationError } from '@troupe/core';
import type { Step } from '../scope.js';
import { toStep } from '../step.js';
import type { ExecutorSpec, SubTaskInput } from './types.js';

/** Stable code of {@link IncompleteError}. */
export const SUBTASK_INCOMPLETE = 'SUBTASK_INCOMPLETE';

/**
 * An executor stopped without finishing its sub-task (a ReAct agent's `incomplete` outcome:
 * `data.reason`, `data.remaining`); the sub-task fails and its branch is re-planned.
 */
export class IncompleteError extends TroupeError {
  constructor(message: string, data: Record<string, unknown>) {
    super(SUBTASK_INCOMPLETE, message, { data });
  }
}

/** An executor ready to use: how to ask it and how to read its reply, or the step that runs in process. */
export interface Executor {
  name: string;
  info: ExecutorInfo;
  step: Step<SubTaskInput, unknown> | undefined;
  message: (input: SubTaskInput) => Message;
  result: (reply: unknown, input: SubTaskInput) => unknown;
}

/** Checks and normalizes the executors (`ValidationError` for none or a name given twice). */
export function executorsOf(specs: ReadonlyArray<string | ExecutorSpec>): Map<string, Executor> {
  if (specs.length === 0) {
    throw new ValidationError('orchestrate needs at least one executor', {
      issues: [{ path: 'executors', message: 'no executors' }],
    });
  }
  const out = new Map<string, Executor>();
  specs.forEach((s, i) => {
    const spec: ExecutorSpec = typeof s === 'string' ? { name: s } : s;
    if (out.has(spec.name)) {
      throw new ValidationError(`executor '${spec.name}' is given twice`, {
        issues: [{ path: `executors.${i}.name`, message: 'must be unique' }],
      });
    }
    out.set(spec.name, {
      name: spec.name,
      info: { name: spec.name, description: spec.description ?? '' },
      step: spec.step === undefined ? undefined : toStep(spec.step),
      message: spec.message ?? reactMessage,
      result: spec.result ?? reactResult,
    });
  });
  return out;
}

/** The default message: `react.run` with the sub-task's description, what it must produce, and its inputs. */
export function reactMessage(input: SubTaskInput): Message {
  const { subtask, context } = input;
  const task = subtask.expectedOutput
    ? `${subtask.description}\nExpected output: ${subtask.expectedOutput}`
    : subtask.description || subtask.name;
  return ReActRun.create(context ? { task, context } : { task });
}

/** The default reading of a reply: a ReAct outcome's output (or answer); `incomplete` throws {@link IncompleteError}. */
export function reactResult(reply: unknown): unknown {
  if (!isOutcome(reply)) return reply;
  if (reply.status === 'completed') return reply.output ?? reply.answer;
  throw new IncompleteError(`the executor stopped without finishing (${reply.reason}): ${reply.remaining}`, {
    reason: reply.reason,
    remaining: reply.remaining,
    done: reply.done,
  });
}

/** Tokens a reply reports (a ReAct outcome's usage), for runs whose executors' events are not seen here. */
export function replyUsage(reply: unknown): { input: number; output: number } | undefined {
  if (!isOutcome(reply)) return undefined;
  return { input: reply.usage.inputTokens, output: reply.usage.outputTokens };
}

function isOutcome(reply: unknown): reply is ReActOutcome {
  if (typeof reply !== 'object' || reply === null) return false;
  const r = reply as { status?: unknown; usage?: unknown; iterations?: unknown };
  return (
    (r.status === 'completed' || r.status === 'incomplete') &&
    typeof r.usage === 'object' &&
    typeof r.iterations === 'number'
  );
}

/** The results of a sub-task's dependencies as text for a model. */
export function contextOf(inputs: Record<string, unknown>): string {
  return Object.entries(inputs)
    .map(([id, value]) => `${id}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}
