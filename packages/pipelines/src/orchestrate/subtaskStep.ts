import type { Route, SubTask } from '@troupe/agents';
import { TroupeError } from '@troupe/core';
import type { Step, StepPolicy, TaskScope } from '../scope.js';
import { makeStep } from '../step.js';
import { contextOf, replyUsage } from './executors.js';
import type { DoneRecord } from './journal.js';
import type { RunState } from './RunState.js';
import type { SubState } from './report.js';
import type { SubTaskInput } from './types.js';

/** Stable code of {@link UnknownExecutorError}. */
export const UNKNOWN_EXECUTOR = 'UNKNOWN_EXECUTOR';

/** A route named an executor `orchestrate` was not given (`data.executor`, `data.known`). */
export class UnknownExecutorError extends TroupeError {
  constructor(executor: string, known: string[]) {
    super(UNKNOWN_EXECUTOR, `no executor '${executor}' (known: ${known.join(', ')})`, {
      data: { executor, known },
    });
  }
}

/**
 * The step of one sub-task, on its card: asks the routed executor (or runs its step) with the
 * results of its dependencies, with the route's retries and timeout, then checkpoints the result
 * to the journal before it counts as done.
 */
export function subtaskStep(s: RunState, t: SubTask, card: string, route: Route): Step<unknown, unknown> {
  const executor = s.executors.get(route.executor);
  const policy: StepPolicy = { retries: route.retry.retries, backoff: { baseMs: route.retry.backoffMs } };
  // An agent's ask carries the timeout itself; a step in process gets it from its policy.
  if (executor?.step !== undefined) policy.timeout = route.timeout;
  return makeStep(
    t.name,
    async (_input: unknown, ctx: TaskScope) => {
      const state = s.states.get(t.id) as SubState;
      state.status = 'running';
      state.startedAt ??= Date.now();
      state.attempts = ctx.attempt;
      if (executor === undefined) throw new UnknownExecutorError(route.executor, [...s.executors.keys()]);
      const inputs: Record<string, unknown> = {};
      for (const d of t.dependencies) inputs[d] = s.results.get(d);
      const input: SubTaskInput = { goal: s.goal, subtask: t, route, inputs, context: contextOf(inputs) };
      let value: unknown;
      if (executor.step !== undefined) value = await executor.step.run(input, ctx);
      else {
        s.expectRemoteEnd(ctx.taskId);
        const reply = await s.options.runtime.ref({ type: route.executor }).ask(executor.message(input), {
          signal: ctx.signal,
          timeout: route.timeout,
          runId: ctx.runId,
          parentId: ctx.taskId,
        });
        countReply(s, t.id, state, reply);
        value = executor.result(reply, input);
      }
      await checkpoint(s, t, card, route, value, ctx.attempt);
      return value;
    },
    { agent: route.executor, policy, id: card },
  );
}

/**
 * A reply's usage (a ReAct outcome's) is the sub-task's tokens in the report, the same in process
 * and over NATS; it counts toward the budget only when its events are not seen here at all.
 */
function countReply(s: RunState, id: string, state: SubState, reply: unknown): void {
  const usage = replyUsage(reply);
  if (usage === undefined) return;
  const seen = s.accounting.of(id);
  state.usage = { ...usage, costUsd: seen.costUsd };
  // Its events were seen here already, or will come through `events$` (the stream lags the reply).
  if (seen.input + seen.output > 0 || s.options.events$ !== undefined) return;
  const reached = s.accounting.addUsage(id, { ...usage, costUsd: 0 });
  if (reached !== undefined) s.stopFor(reached);
}

async function checkpoint(
  s: RunState,
  t: SubTask,
  card: string,
  route: Route,
  value: unknown,
  attempts: number,
): Promise<void> {
  const state = s.states.get(t.id) as SubState;
  const usage = state.usage ?? s.accounting.of(t.id);
  const finishedAt = Date.now();
  if (s.journal !== undefined) {
    const record: DoneRecord = {
      id: t.id,
      taskId: card,
      executor: route.executor,
      result: value ?? null,
      attempts,
      tokens: { input: usage.input, output: usage.output },
      costUsd: usage.costUsd,
      startedAt: state.startedAt ?? finishedAt,
      finishedAt,
    };
    if (route.model !== undefined) record.model = route.model;
    // Written before the sub-task counts as done: a crash from here on never runs it again.
    await s.journal.checkpoint(s.journal.keys.doneOf(t.id), record);
  }
  state.status = 'completed';
  state.result = value;
  state.finishedAt = finishedAt;
  state.error = undefined;
  s.results.set(t.id, value);
}
