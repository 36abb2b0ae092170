import type { ValidationIssue } from '@troupe/core';
import { CallScope } from '../model/CallScope.js';
import { InvalidResponseError } from '../model/errors.js';
import type { ChatMessage, ChatModel, ProgressSink } from '../model/types.js';
import { PlanError } from './PlanError.js';
import { type PlanDraft, PlanDraftSchema } from './plan.js';

/** What a planning call needs besides its prompt. */
export interface PlanningCall {
  model: ChatModel;
  /** Repair rounds after the first draft (default 2): each sends the exact problems back. */
  maxRepairs?: number;
  signal?: AbortSignal;
  /** Milliseconds for the whole planning, repairs included (rejects with `TimeoutError`). */
  timeout?: number;
  progress?: ProgressSink;
  agent?: string;
  temperature?: number;
}

/**
 * Asks the model for a plan draft until `check` finds no issue: a draft that
 * is not valid JSON of the schema, or that `check` faults, goes back to the
 * model with the exact problems, up to `maxRepairs` times; then `PlanError`.
 */
export async function draftWithRepairs<R>(
  call: PlanningCall,
  prompt: ChatMessage[],
  check: (draft: PlanDraft) => { issues: ValidationIssue[]; value?: R },
): Promise<R> {
  const scope = new CallScope(call.signal, call.timeout, 'planning');
  try {
    return await drafts({ ...call, signal: scope.signal }, prompt, check);
  } catch (err) {
    throw scope.cancelled ? scope.reason() : err;
  } finally {
    scope.dispose();
  }
}

async function drafts<R>(
  call: PlanningCall & { signal: AbortSignal },
  prompt: ChatMessage[],
  check: (draft: PlanDraft) => { issues: ValidationIssue[]; value?: R },
): Promise<R> {
  const messages = [...prompt];
  const attempts = (call.maxRepairs ?? 2) + 1;
  let issues: ValidationIssue[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    emit(call, { kind: 'task.progress', step: `planning: draft ${attempt} of at most ${attempts}` });
    let content: string;
    try {
      const result = await call.model.chat({
        messages,
        output: PlanDraftSchema,
        outputName: 'plan',
        signal: call.signal,
        ...(call.progress ? { progress: call.progress } : {}),
        ...(call.agent === undefined ? {} : { agent: call.agent }),
        ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      });
      const checked =
        result.output === undefined
          ? { issues: [{ path: '(answer)', message: 'the answer holds no plan' }] }
          : check(result.output);
      if (checked.issues.length === 0) return checked.value as R;
      issues = checked.issues;
      content = result.message.content;
    } catch (err) {
      if (!(err instanceof InvalidResponseError) || call.signal.aborted) throw err;
      issues = [{ path: '(answer)', message: err.message }];
      content = '';
    }
    const list = issues.map((i) => `- ${i.path}: ${i.message}`).join('\n');
    emit(call, {
      kind: 'task.log',
      level: 'warn',
      message: `draft ${attempt} is not a valid plan:\n${list}`,
    });
    if (content) messages.push({ role: 'assistant', content });
    messages.push({
      role: 'user',
      content: `That plan is not valid:\n${list}\nFix every problem and answer with the whole corrected JSON.`,
    });
  }
  throw new PlanError(
    `no valid plan after ${attempts} drafts: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { issues, attempts },
  );
}

function emit(call: PlanningCall, event: Parameters<ProgressSink['emit']>[0]): void {
  if (!call.progress) return;
  call.progress.emit(call.agent === undefined ? event : { ...event, agent: call.agent });
}
