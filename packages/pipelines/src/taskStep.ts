import { type AskOptions, ValidationError } from '@troupe/core';
import { TaskAssign, type TaskAssignment } from './messages.js';
import type { BackoffOptions } from './retry.js';
import type { RuntimeLike, Step, StepPolicy } from './scope.js';
import { makeStep, ownInput, toStep } from './step.js';
import { taskInstanceKey } from './taskInstances.js';
import type { TaskSpec } from './taskTypes.js';

/** Defaults a group gives its tasks. */
export interface TaskDefaults {
  runtime: RuntimeLike | undefined;
  group: string;
  agent: string | undefined;
  model: string | undefined;
  taskTimeout: number | undefined;
  retries: number | undefined;
  backoff: BackoffOptions | undefined;
}

/** Compiles a task to a step taking its {@link TaskAssignment}. */
export function taskStep(
  label: string,
  spec: TaskSpec,
  defaults: TaskDefaults,
): { step: Step<TaskAssignment, unknown>; assignment: TaskAssignment; agent: string | undefined } {
  const assignment: TaskAssignment = { label, group: defaults.group };
  const model = spec.model ?? defaults.model;
  if (model !== undefined) assignment.model = model;
  if (spec.prompt !== undefined) assignment.prompt = spec.prompt;
  if (spec.input !== undefined) assignment.input = spec.input;
  const retries = spec.retries ?? defaults.retries ?? 0;
  const timeout = spec.timeout ?? defaults.taskTimeout;
  const backoff = spec.backoff ?? defaults.backoff;
  const policy: StepPolicy = { retries };
  if (backoff !== undefined) policy.backoff = backoff;
  if (spec.step !== undefined) {
    if (timeout !== undefined) policy.timeout = timeout;
    // Each attempt runs on its own copy of the assignment (and so of `input`), as an agent's would.
    const inner = ownInput(toStep(spec.step), 'TaskGroup');
    return {
      step: makeStep(label, inner.run, { agent: inner.agent, policy }),
      assignment,
      agent: inner.agent,
    };
  }
  const type = spec.agent ?? defaults.agent;
  if (type === undefined) {
    throw new ValidationError(
      `task '${label}': no agent; pass { agent } or { step }, or give the group an agent`,
      {
        issues: [{ path: 'agent', message: 'required' }],
      },
    );
  }
  const runtime = defaults.runtime;
  if (runtime === undefined) {
    throw new ValidationError(`task '${label}': agent '${type}' needs the group's runtime option`, {
      issues: [{ path: 'runtime', message: 'required for agent tasks' }],
    });
  }
  const agent = spec.key === undefined ? type : `${type}/${spec.key}`;
  const fixed = spec.key === undefined ? undefined : runtime.ref({ type, key: spec.key });
  const step = makeStep<TaskAssignment, unknown>(
    label,
    (payload, ctx) => {
      const ask: AskOptions = { signal: ctx.signal, runId: ctx.runId, parentId: ctx.taskId };
      if (timeout !== undefined) ask.timeout = timeout;
      if (fixed !== undefined) return fixed.ask(TaskAssign.create(payload), ask);
      // Each attempt runs on an instance of its own: no waiting in another task's mailbox, so the
      // timeout counts from the attempt's start and maxConcurrent tasks really run at once.
      const { key, release } = taskInstanceKey(runtime, type);
      return runtime.ref({ type, key }).ask(TaskAssign.create(payload), ask).finally(release);
    },
    { agent, policy },
  );
  return { step, assignment, agent };
}
